import { behindSection } from './behindSection';
import { federatedLearningSection } from './federatedLearningSection';
import { type SectionWriter, workflowsSection } from './resultsMarkdown';
import { scaleOfTestingSection } from './scaleOfTestingSection';
import { faultsSection, scalingSection } from './scalingFaultsSections';
import { triggersSection } from './triggersSection';

/** RESULTS.md's sections after the transition suite's, in order. */
export const resultsSections: { suite: string; write: SectionWriter }[] = [
  { suite: 'workflows', write: workflowsSection },
  { suite: 'scaling', write: scalingSection },
  { suite: 'faults', write: faultsSection },
  { suite: 'triggers', write: triggersSection },
  { suite: 'federated-learning', write: federatedLearningSection },
  { suite: 'scale-of-testing', write: scaleOfTestingSection },
  { suite: 'behind', write: behindSection },
];
