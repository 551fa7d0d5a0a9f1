import { lifelineProject } from "@lifeline/vitest-config";

export default lifelineProject("providers");
