import type { AslImporter } from './importWorkflow';

/** The ASL importer of @jointflow/ir, once it is exported there. */
export const aslImporter: AslImporter | undefined = undefined;
