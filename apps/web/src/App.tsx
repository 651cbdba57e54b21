import { useState } from 'react';
import { loadToken } from './api/token';
import { CloudHealth } from './CloudHealth';
import { Designer } from './designer/Designer';
import { RunView } from './run/RunView';
import { RunCompare } from './runs/RunCompare';
import { RunsList } from './runs/RunsList';
import { TokenForm } from './TokenForm';
import { useHashRoute } from './useHashRoute';
import { useTheme } from './useTheme';
import { WorkflowList } from './workflows/WorkflowList';

export function App() {
  const [token, setToken] = useState(loadToken);
  if (!token) return <TokenForm onToken={setToken} />;
  return (
    <>
      <Page onSignOut={() => setToken(null)} />
      <CloudHealth />
    </>
  );
}

function Page({ onSignOut }: { onSignOut(): void }) {
  const route = useHashRoute();
  const theme = useTheme();
  switch (route.page) {
    case 'list':
      return <WorkflowList theme={theme} onSignOut={onSignOut} />;
    case 'designer':
      return <Designer key={route.workflowId} workflowId={route.workflowId} theme={theme} />;
    case 'run':
      return (
        <RunView
          key={route.executionId}
          workflowId={route.workflowId}
          executionId={route.executionId}
          theme={theme}
        />
      );
    case 'runs':
      return <RunsList key={route.workflowId} workflowId={route.workflowId} theme={theme} />;
    case 'compare':
      return (
        <RunCompare
          key={`${route.a}/${route.b}`}
          workflowId={route.workflowId}
          a={route.a}
          b={route.b}
          theme={theme}
        />
      );
  }
}
