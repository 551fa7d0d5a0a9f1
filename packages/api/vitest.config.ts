import { lifelineProject } from "@lifeline/vitest-config";

export default lifelineProject("api", { integration: true });
