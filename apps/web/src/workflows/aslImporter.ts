import { importAsl } from '@jointflow/ir';
import type { AslImporter } from './importWorkflow';

/** The ASL importer of @jointflow/ir (pure; runs in the browser). */
export const aslImporter: AslImporter = importAsl;
