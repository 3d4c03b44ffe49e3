// ESLint flat config: typescript-eslint's recommended rules (type-aware for promise handling) over every TypeScript file.
import tseslint from 'typescript-eslint';

export default tseslint.config(
    { ignores: ['node_modules/', 'dist/', '.staging-*/', '.tmp/', 'coverage/', 'src/i18n/catalog.generated.ts'] },
    ...tseslint.configs.recommended,
    {
        files: ['**/*.ts', '**/*.cts'],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
            '@typescript-eslint/no-floating-promises': 'error',
            '@typescript-eslint/await-thenable': 'error',
            '@typescript-eslint/no-misused-promises': 'error',
            '@typescript-eslint/no-explicit-any': 'error',
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
        },
    },
    {
        files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
        rules: { '@typescript-eslint/no-require-imports': 'off' },
    },
);
