import { lifelineProjects } from "@lifeline/vitest-config";

export default lifelineProjects();
