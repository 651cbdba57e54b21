// Rewrites bench/RESULTS.md from bench/results/*.json without running a suite (after the soak or
// fuzz command, or a change to the report's wording):  npx tsx bench/src/report/regenerate.ts
import { writeFileSync } from 'node:fs';
import { resultsMarkdownFile } from '../resultFiles';
import { buildResultsMarkdown } from './resultsMarkdown';
import { resultsSections } from './sections';

writeFileSync(resultsMarkdownFile, buildResultsMarkdown(resultsSections));
console.log(`wrote ${resultsMarkdownFile}`);
