import { lifelineProject } from "@lifeline/vitest-config";

export default lifelineProject("jobs", { integration: true });
