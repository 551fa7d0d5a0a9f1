import { lifelineProject } from "@lifeline/vitest-config";

export default lifelineProject("client", { integration: true });
