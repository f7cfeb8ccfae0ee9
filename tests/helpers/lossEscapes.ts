/**
 * Ways out of a user loss, each with what its refusal must name: the Node policy tests and the page's
 * end-to-end test try every one.
 */
export const ESCAPES: readonly { readonly name: string; readonly code: string; readonly refused: RegExp }[] = [
  { name: 'fetch', code: "fetch('https://example.com/?' + 1);\nreturn tf.mean(student);", refused: /`fetch` is not available/ },
  { name: 'XMLHttpRequest', code: 'const r = XMLHttpRequest;\nreturn tf.mean(student);', refused: /`XMLHttpRequest` is not available/ },
  { name: 'WebSocket', code: "const s = WebSocket('ws://x');\nreturn tf.mean(student);", refused: /`WebSocket` is not available/ },
  { name: 'importScripts', code: "importScripts('https://example.com/x.js');\nreturn tf.mean(student);", refused: /`importScripts` is not available/ },
  { name: 'import()', code: "import('https://example.com/x.js');\nreturn tf.mean(student);", refused: /`import\(\)` is not allowed/ },
  { name: 'indexedDB', code: "indexedDB.deleteDatabase('distillery');\nreturn tf.mean(student);", refused: /`indexedDB` is not available/ },
  { name: 'caches', code: "caches.delete('x');\nreturn tf.mean(student);", refused: /`caches` is not available/ },
  { name: 'self.postMessage', code: "self.postMessage({ type: 'done' });\nreturn tf.mean(student);", refused: /`self` is not available/ },
  { name: 'globalThis', code: 'const g = globalThis;\nreturn tf.mean(student);', refused: /`globalThis` is not available/ },
  { name: 'this', code: 'const g = this;\nreturn tf.mean(student);', refused: /`this` is not available/ },
  { name: 'constructor.constructor', code: "const F = student.constructor.constructor('return self')();\nreturn tf.mean(student);", refused: /`\.constructor` is not available/ },
  { name: 'Function', code: "Function('return self')();\nreturn tf.mean(student);", refused: /`Function` is not available/ },
  { name: 'eval', code: "eval('self');\nreturn tf.mean(student);", refused: /`eval` is not available/ },
  { name: 'setTimeout with a string', code: "setTimeout('self.close()', 0);\nreturn tf.mean(student);", refused: /`setTimeout` is not available/ },
  { name: 'tf.setBackend', code: "tf.setBackend('cpu');\nreturn tf.mean(student);", refused: /`\.setBackend` is not available/ },
  { name: 'tf.disposeVariables', code: 'tf.disposeVariables();\nreturn tf.mean(student);', refused: /`\.disposeVariables` is not available/ },
  { name: 'Object.prototype', code: 'Object.prototype.polluted = 1;\nreturn tf.mean(student);', refused: /`Object` is not available/ },
  { name: 'Array.prototype', code: 'Array.prototype.map = null;\nreturn tf.mean(student);', refused: /`Array` is not available/ },
  { name: '__proto__', code: 'const p = [].__proto__;\nreturn tf.mean(student);', refused: /`\.__proto__` is not available/ },
  { name: 'computed access', code: "const f = student['constructor'];\nreturn tf.mean(student);", refused: /`\.constructor` is not available/ },
  { name: 'destructured constructor', code: 'const { constructor } = student;\nreturn tf.mean(student);', refused: /`\.constructor` is not available/ },
  { name: 'a function’s constructor', code: "const F = (() => 0).constructor;\nreturn tf.mean(student);", refused: /`\.constructor` is not available/ },
  { name: 'a global behind a block-scoped twin', code: "{ let fetch = 1; }\nfetch('https://example.com');\nreturn tf.mean(student);", refused: /line 2: `fetch` is not available/ },
  { name: 'new', code: "const w = new Worker('x.js');\nreturn tf.mean(student);", refused: /`new` is not allowed/ },
  { name: 'assignment to a property', code: 'tf.mean = tf.sum;\nreturn tf.mean(student);', refused: /assigning to a property is not allowed/ },
  { name: 'delete', code: 'delete params.T;\nreturn tf.mean(student);', refused: /`delete` is not allowed/ },
  { name: 'tagged template', code: 'tf.mean`x`;\nreturn tf.mean(student);', refused: /tagged templates are not allowed/ },
  { name: 'var', code: 'var x = 1;\nreturn tf.mean(student);', refused: /`var` is not allowed/ },
  { name: 'arguments', code: 'function f() { return arguments; }\nreturn tf.mean(student);', refused: /`arguments` is not available/ },
  { name: 'async', code: 'const f = async () => 1;\nreturn tf.mean(student);', refused: /async functions are not allowed/ },
  { name: 'getter', code: 'const o = { get x() { return 1; } };\nreturn tf.mean(student);', refused: /getters and setters are not allowed/ },
  { name: 'tensor readback', code: 'const v = student.dataSync();\nreturn tf.mean(student);', refused: /`\.dataSync` is not available/ },
  { name: 'tensor dispose', code: 'teacher.dispose();\nreturn tf.mean(student);', refused: /`\.dispose` is not available/ },
  { name: 'tf.engine', code: 'tf.engine().reset();\nreturn tf.mean(student);', refused: /`\.engine` is not available/ },
];

/** Ways out that only show at run time (a computed name), refused by the index guard the compiled code adds. */
export const RUNTIME_ESCAPES: readonly { readonly name: string; readonly code: string; readonly refused: RegExp }[] = [
  { name: 'a computed name', code: "const k = 'constr' + 'uctor';\nconst F = student[k];\nreturn tf.mean(student);", refused: /line 2: an index must be a number, got string/ },
  { name: 'a computed name through a function', code: "const get = (o, k) => o[k];\nconst F = get(get(student, 'constructor'), 'constructor');\nreturn tf.mean(student);", refused: /line 1: an index must be a number, got string/ },
];
