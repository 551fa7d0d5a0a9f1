// One linter for the whole repo: type-aware typescript-eslint, Prettier owns formatting.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import globals from "globals";
import tseslint from "typescript-eslint";

import { boundaryRules } from "./tooling/lint/src/boundaries.js";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "**/.turbo/**",
      "**/src/generated/**",
      "**/test-output/**",
      "**/bench-output/**",
      "**/.schema/**",
      "**/logs/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      // Fastify handlers and prisma.config adapters are async by contract, awaited or not.
      "@typescript-eslint/require-await": "off",
      "no-console": "error",
    },
  },
  {
    // Only the env package reads process.env; everyone else gets parsed, typed config.
    files: ["apps/*/src/**/*.ts", "packages/*/src/**/*.ts"],
    ignores: ["packages/env/src/**", "**/testing/**", "**/*.test.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "Read configuration through @lifeline/env.",
        },
      ],
    },
  },
  {
    files: [
      "**/*.test.ts",
      "**/test/**/*.ts",
      "**/bench/**/*.ts",
      "**/*.config.ts",
      "eslint.config.js",
    ],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
    },
  },
  ...boundaryRules(),
  { files: ["**/*.js"], ...tseslint.configs.disableTypeChecked },
  prettier,
);
