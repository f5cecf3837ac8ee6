import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'src/graphql/*.generated.ts',
      'bench/results/',
      'examples/*/src/gql/',
    ],
  },
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
    // The playground's browser code (bundled by scripts/build-graphiql.ts), not Node.
    files: ['src/http/playground/**/*.js'],
    languageOptions: { globals: { document: 'readonly', self: 'readonly', fetch: 'readonly' } },
  },
  {
    // Layering (docs/style.md): only src/upstream sends HTTP; resolvers, loaders and the domain never do.
    files: ['src/graphql/**/*.ts', 'src/loaders/**/*.ts', 'src/domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['got', 'undici', 'node:http', 'node:https'] }] },
  },
);
