// Lint, including the layering rules of DESIGN.md: a wrong import fails CI.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const ROOT = dirname(fileURLToPath(import.meta.url));

/**
 * Node's built-in modules, bare and `node:`-prefixed, as the running Node lists them. Left out:
 * the `_`-prefixed internals, and `module`, whose createRequire would load what an import may not.
 */
const NODE_BUILTINS = new Set(
  builtinModules.filter((m) => !m.startsWith('_') && m !== 'module').flatMap((m) => [m, `node:${m}`]),
);

/**
 * The layers of DESIGN.md as ALLOW-lists: an import that no entry allows is refused, so a layer
 * gains a dependency only by a line here. `name` is where the layer lives (the rule's option);
 * `files` the files in it. `paths` are repository paths without extension:
 * `dir/**` is the folder and everything in it, anything else is one module (`dir` alone is its
 * index.ts). `node` allows Node's built-ins; `packages` are npm names, `name/*` for subpaths.
 */
export const layers = [
  {
    name: 'shared/',
    files: ['shared/**/*.ts'],
    paths: ['shared/**'],
    node: false,
    packages: ['zod'],
  },
  {
    name: 'main/engine/',
    files: ['main/engine/**/*.ts'],
    paths: ['main/util/**', 'main/engine/**', 'shared/**'],
    node: true,
    packages: ['better-sqlite3', 'chokidar', '@aws-sdk/client-s3', 'zod'],
  },
  {
    // Node helpers the engine, the receiver, the hosts and the CLI share (file hashing, bodies).
    name: 'main/util/',
    files: ['main/util/**/*.ts'],
    paths: ['main/util/**', 'shared/**'],
    node: true,
    packages: [],
  },
  {
    name: 'main/receiver/',
    files: ['main/receiver/**/*.ts'],
    paths: ['main/util/**', 'main/receiver/**', 'shared/**'],
    node: true,
    packages: ['@tus/server', '@tus/file-store'],
  },
  {
    name: 'main/hosts/bootstrap.ts',
    files: ['main/hosts/bootstrap.ts'],
    paths: ['main/util/**', 'main/engine', 'main/receiver/**', 'shared/**'],
    node: true,
    packages: [],
  },
  {
    // The content security policy both hosts serve.
    name: 'main/hosts/csp.ts',
    files: ['main/hosts/csp.ts'],
    paths: ['shared/**'],
    node: true,
    packages: [],
  },
  {
    name: 'main/hosts/web/',
    files: ['main/hosts/web/**/*.ts'],
    paths: ['main/util/**', 'main/hosts/web/**', 'main/hosts/bootstrap', 'main/hosts/csp', 'main/engine', 'shared/**'],
    node: true,
    packages: ['ws'],
  },
  {
    // The desktop host's decisions, without Electron: tested in Node, called by the electron glue.
    name: 'main/hosts/desktop/',
    files: ['main/hosts/desktop/**/*.ts'],
    // "Allow local scripts" serves the web host's API and writes its instance file.
    paths: ['main/util/**', 'main/hosts/desktop/**', 'main/hosts/web/restServer', 'main/hosts/web/instanceFile', 'main/hosts/bootstrap', 'main/hosts/csp', 'main/engine', 'shared/**'],
    node: true,
    packages: [],
  },
  {
    name: 'main/hosts/electron/',
    files: ['main/hosts/electron/**/*.ts'],
    paths: ['main/util/**', 'main/hosts/electron/**', 'main/hosts/desktop/**', 'main/hosts/bootstrap', 'main/hosts/csp', 'main/engine', 'shared/**'],
    node: true,
    packages: ['electron'],
  },
  {
    // Talks to a running instance over HTTP/WebSocket, so it loads no engine code at all.
    name: 'main/cli/',
    files: ['main/cli/**/*.ts'],
    paths: ['main/util/**', 'main/cli/**', 'shared/**'],
    node: true,
    packages: ['ws'],
  },
  {
    name: 'preload/',
    files: ['preload/**/*.ts'],
    paths: ['preload/**', 'shared/**'],
    node: false,
    packages: ['electron'],
  },
  {
    name: 'renderer/',
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    paths: ['renderer/**', 'shared/**'],
    node: false,
    packages: ['react', 'react-dom/client', 'zustand', 'zustand/*', '@tanstack/react-virtual', 'zod'],
  },
];

/** Every file of these folders must belong to a layer above. */
const LAYERED_FILES = ['main/**/*.ts', 'shared/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx'];

/** The engine's front door: hosts and the CLI import the engine only through main/engine/index.ts. */
const ENGINE_INDEX = 'main/engine';

const toPosix = (p) => p.split(sep).join('/');

/** A relative specifier as the repository path of the module it names: no extension, no /index. */
function modulePath(filename, specifier) {
  const path = toPosix(relative(ROOT, resolve(dirname(filename), specifier)));
  return path.replace(/\.(?:[cm]?[jt]s|tsx)$/, '').replace(/\/index$/, '');
}

function pathAllowed(layer, path) {
  return layer.paths.some((entry) =>
    entry.endsWith('/**') ? path === entry.slice(0, -3) || path.startsWith(entry.slice(0, -2)) : path === entry,
  );
}

function packageAllowed(layer, specifier) {
  if (NODE_BUILTINS.has(specifier) || specifier.startsWith('node:')) return layer.node && NODE_BUILTINS.has(specifier);
  return layer.packages.some((entry) => (entry.endsWith('/*') ? specifier.startsWith(entry.slice(0, -1)) : specifier === entry));
}

function describeAllowed(layer) {
  return [...layer.paths, ...(layer.node ? ['node built-ins'] : []), ...layer.packages].join(', ');
}

/** The one rule: each import of a layered file must be allowed by its layer (option: the layer's name). */
const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each layer of DESIGN.md imports only what its allow-list names.' },
    schema: [{ type: 'string' }],
    messages: {
      noLayer: 'This file belongs to no layer of DESIGN.md: add its folder to `layers` in eslint.config.js.',
      notAllowed: "{{layer}} may not import '{{what}}'. It may import: {{allowed}} (DESIGN.md, Layers).",
      deepEngine:
        "Deep import of {{what}}: hosts and the CLI reach the engine only through its front door, main/engine/index.ts (import '{{index}}').",
      commonJs: 'No require(): Ferry is ES modules, and require() would get round the layering rules. Use import.',
      dynamicSpecifier: 'A dynamic import() takes a string literal here, so that the layering rules can check it.',
    },
  },
  create(context) {
    const layer = layers.find((l) => l.name === context.options[0]);

    function check(node, specifier) {
      if (!layer) return;
      if (!specifier.startsWith('.')) {
        if (!packageAllowed(layer, specifier)) context.report({ node, messageId: 'notAllowed', data: { layer: layer.name, what: specifier, allowed: describeAllowed(layer) } });
        return;
      }
      const path = modulePath(context.filename, specifier);
      if (path.startsWith(`${ENGINE_INDEX}/`) && layer.paths.includes(ENGINE_INDEX)) {
        const index = toPosix(relative(dirname(context.filename), resolve(ROOT, ENGINE_INDEX)));
        context.report({ node, messageId: 'deepEngine', data: { what: path, index } });
        return;
      }
      if (!pathAllowed(layer, path)) context.report({ node, messageId: 'notAllowed', data: { layer: layer.name, what: path, allowed: describeAllowed(layer) } });
    }

    function checkSource(node) {
      if (node.source) check(node.source, String(node.source.value));
    }

    return {
      Program(node) {
        if (!layer) context.report({ node, messageId: 'noLayer' });
      },
      ImportDeclaration: checkSource,
      ExportNamedDeclaration: checkSource,
      ExportAllDeclaration: checkSource,
      ImportExpression(node) {
        const source = node.source;
        if (source.type === 'Literal' && typeof source.value === 'string') check(source, source.value);
        else if (source.type === 'TemplateLiteral' && source.expressions.length === 0) check(source, source.quasis[0].value.cooked);
        else context.report({ node, messageId: 'dynamicSpecifier' });
      },
      TSImportType(node) {
        const literal = node.argument?.literal;
        if (literal && typeof literal.value === 'string') check(node.argument, literal.value);
      },
      TSImportEqualsDeclaration(node) {
        if (node.moduleReference.type === 'TSExternalModuleReference') context.report({ node, messageId: 'commonJs' });
      },
      'Program:exit'() {
        // Any use of the global require (a call, require.resolve, an alias), not only require('x').
        for (const ref of context.sourceCode.scopeManager.globalScope.through) {
          if (ref.identifier.name === 'require') context.report({ node: ref.identifier, messageId: 'commonJs' });
        }
      },
    };
  },
};

/** Globals (or their properties on the global object) that say a layer runs in Node or a page. */
const NODE_GLOBALS = ['process', 'Buffer', 'global', 'require', 'module', '__dirname', '__filename'];
const DOM_GLOBALS = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'location'];
const GLOBAL_OBJECTS = ['globalThis', 'global', 'window', 'self'];

function forbidGlobals(files, names, message) {
  return {
    files,
    rules: {
      'no-restricted-globals': ['error', ...names.map((name) => ({ name, message }))],
      'no-restricted-properties': ['error', ...GLOBAL_OBJECTS.flatMap((object) => names.map((property) => ({ object, property, message })))],
    },
  };
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.electron-native/**', 'test-results/**', 'playwright-report/**', 'test/fixtures/lint/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  // Every layered file gets the rule; its layer's block below names the layer (no name: no layer).
  { files: LAYERED_FILES, plugins: { ferry: { rules: { layering: layeringRule } } }, rules: { 'ferry/layering': 'error' } },
  ...layers.map((layer) => ({ files: layer.files, rules: { 'ferry/layering': ['error', layer.name] } })),
  // The engine's services are for tests and benchmarks; hosts and the CLI use its commands, streams and host methods.
  {
    files: ['main/hosts/**/*.ts', 'main/cli/**/*.ts', 'main/receiver/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='services']", message: "Use the engine's commands, streams and host methods; engine.services is for tests and benchmarks." },
      ],
    },
  },
  forbidGlobals(['shared/**/*.ts'], [...NODE_GLOBALS, ...DOM_GLOBALS], 'shared/ runs everywhere: no Node or DOM globals.'),
  forbidGlobals(['renderer/**/*.ts', 'renderer/**/*.tsx'], NODE_GLOBALS, 'The renderer is a sandboxed web page: no Node globals.'),
);
