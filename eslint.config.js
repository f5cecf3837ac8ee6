import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'src/graphql/*.generated.ts', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', fetch: 'readonly', setTimeout: 'readonly', URL: 'readonly' },
    },
  },
  {
    // The Zapier app (integrations/zapier) is CommonJS, as the Zapier Platform CLI expects.
    files: ['integrations/zapier/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', clearTimeout: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Layering (STYLE.md): only src/upstream sends HTTP; resolvers, loaders and the domain never do.
    files: ['src/graphql/**/*.ts', 'src/loaders/**/*.ts', 'src/domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['got', 'undici', 'node:http', 'node:https'] }] },
  },
);
