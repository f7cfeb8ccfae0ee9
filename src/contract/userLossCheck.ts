/**
 * The static check every user loss passes before it may run: its syntax tree (acorn) is walked with the
 * scopes it declares, and the code is refused, at the line, unless every name it reads is in its scope
 * (`USER_LOSS_SCOPE`), declared by the code itself, or an allowed global, and every property it reads is on
 * the allow-list (`userLossPolicy.ts`). Computed access (`a[i]`) is allowed with numbers only: the check
 * returns where the code indexes with an expression, and the compiled code wraps each in a guard that
 * throws unless the index is a number, so no string can name a property. `this`, `new`, `import()`,
 * classes, assignment to a property, `delete`, tagged templates, `var`, labels, async code and generators
 * are refused outright: each is a way out of the names the list controls. Loops are allowed: a loss that
 * never returns is stopped by the page's Stop watchdog, not here.
 */
import type { AnyNode, Node, Pattern, Program } from 'acorn';
import { USER_LOSS_GLOBALS, USER_LOSS_PROPERTIES } from './userLossPolicy';

/** A refusal of the checker: what was refused, at which line of the user's code. */
export class UserLossRefusal extends Error {
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(message);
  }
}

type Scope = { readonly names: Set<string>; readonly parent: Scope | null };

/** Source offsets of an index expression (`i` in `a[i]`) the compiled code must guard. */
export interface IndexRange {
  readonly start: number;
  readonly end: number;
}

/** Names the compiled code adds (the index guard); the user's code may neither use nor declare them. */
export const RESERVED_PREFIX = '__loss';

/** Syntax that has no place in a loss, with the reason a person reads. */
const REFUSED_SYNTAX: Readonly<Record<string, string>> = {
  ThisExpression: '`this` is not available in a loss',
  NewExpression: '`new` is not allowed in a loss (create tensors with tf.tensor, tf.zeros…)',
  ImportExpression: '`import()` is not allowed in a loss',
  MetaProperty: '`import.meta` and `new.target` are not allowed in a loss',
  Super: '`super` is not allowed in a loss',
  ClassDeclaration: 'classes are not allowed in a loss',
  ClassExpression: 'classes are not allowed in a loss',
  TaggedTemplateExpression: 'tagged templates are not allowed in a loss',
  YieldExpression: 'generators are not allowed in a loss',
  AwaitExpression: '`await` is not allowed: a loss is computed synchronously',
  WithStatement: '`with` is not allowed in a loss',
  LabeledStatement: 'labels are not allowed in a loss',
  DebuggerStatement: '`debugger` is not allowed in a loss',
  ForInStatement: '`for…in` is not allowed in a loss (use for…of or an index)',
  ImportDeclaration: '`import` is not allowed in a loss',
  ExportNamedDeclaration: '`export` is not allowed in a loss',
  ExportDefaultDeclaration: '`export` is not allowed in a loss',
  ExportAllDeclaration: '`export` is not allowed in a loss',
  PrivateIdentifier: 'private names are not allowed in a loss',
};

/** Walks one user loss; `check` throws a UserLossRefusal at the first thing outside the policy. */
class LossWalker {
  /** Index expressions to guard, in source order. */
  readonly indexes: IndexRange[] = [];

  constructor(private readonly scopeNames: readonly string[]) {}

  check(program: Program): void {
    const top: Scope = { names: new Set(this.scopeNames), parent: null };
    this.#declareHoisted(program.body, top);
    for (const statement of program.body) this.#visit(statement, top);
  }

  #refuse(node: Node, message: string): never {
    throw new UserLossRefusal(message, node.loc?.start.line ?? null);
  }

  /** let, const and function declarations of a block belong to the whole block (the temporal dead zone). */
  #declareHoisted(statements: readonly AnyNode[], scope: Scope): void {
    for (const statement of statements) {
      if (statement.type === 'VariableDeclaration') {
        if (statement.kind === 'var') this.#refuse(statement, '`var` is not allowed in a loss: use const or let');
        for (const declarator of statement.declarations) this.#bindPattern(declarator.id, scope);
      } else if (statement.type === 'FunctionDeclaration' && statement.id) {
        this.#bindPattern(statement.id, scope);
      }
    }
  }

  /** Adds the names a binding pattern declares, checking the property names it reads. */
  #bindPattern(pattern: Pattern, scope: Scope): void {
    this.#walkPattern(pattern, scope, 'declare');
  }

  /**
   * The names of a pattern: declared (a binding; its defaults are visited later, in the new scope) or
   * resolved (an assignment's target, defaults visited now). Properties it reads are checked; a property
   * as a target is refused, after its object's names (so a forbidden name is the one named).
   */
  #walkPattern(pattern: Pattern, scope: Scope, names: 'declare' | 'resolve'): void {
    switch (pattern.type) {
      case 'Identifier':
        if (names === 'resolve') return this.#resolve(pattern, scope);
        if (pattern.name.startsWith(RESERVED_PREFIX)) this.#refuse(pattern, `names starting with ${RESERVED_PREFIX} are reserved`);
        scope.names.add(pattern.name);
        return;
      case 'ArrayPattern':
        for (const element of pattern.elements) if (element) this.#walkPattern(element, scope, names);
        return;
      case 'ObjectPattern':
        for (const property of pattern.properties) {
          if (property.type === 'RestElement') this.#walkPattern(property.argument, scope, names);
          else {
            this.#checkPropertyKey(property.key, property.computed);
            this.#walkPattern(property.value, scope, names);
          }
        }
        return;
      case 'AssignmentPattern':
        if (names === 'resolve') this.#visit(pattern.right, scope);
        return this.#walkPattern(pattern.left, scope, names);
      case 'RestElement':
        return this.#walkPattern(pattern.argument, scope, names);
      case 'MemberExpression':
        if (names === 'resolve') this.#visit(pattern.object, scope);
        return this.#refuse(pattern, 'assigning to a property is not allowed in a loss');
    }
  }

  /** Default values inside a pattern are expressions: visit them in the scope the pattern lives in. */
  #visitPatternDefaults(pattern: Pattern, scope: Scope): void {
    if (pattern.type === 'AssignmentPattern') {
      this.#visit(pattern.right, scope);
      this.#visitPatternDefaults(pattern.left, scope);
    } else if (pattern.type === 'ArrayPattern') {
      for (const element of pattern.elements) if (element) this.#visitPatternDefaults(element, scope);
    } else if (pattern.type === 'ObjectPattern') {
      for (const property of pattern.properties) this.#visitPatternDefaults(property.type === 'RestElement' ? property.argument : property.value, scope);
    } else if (pattern.type === 'RestElement') {
      this.#visitPatternDefaults(pattern.argument, scope);
    }
  }

  #checkPropertyKey(key: AnyNode, computed: boolean): void {
    if (key.type === 'Literal' && typeof key.value === 'number') return;
    if (computed) this.#refuse(key, 'a computed key must be a number here (`a[0]`, `a[i]`), never a name');
    const name = key.type === 'Identifier' ? key.name : key.type === 'Literal' ? String(key.value) : '';
    if (!USER_LOSS_PROPERTIES.has(name)) this.#refuse(key, `\`.${name}\` is not available in a loss: only tf's maths functions and tensor properties are`);
  }

  #resolve(node: Node & { name: string }, scope: Scope): void {
    for (let s: Scope | null = scope; s; s = s.parent) if (s.names.has(node.name)) return;
    if ((USER_LOSS_GLOBALS as readonly string[]).includes(node.name)) return;
    this.#refuse(node, `\`${node.name}\` is not available in a loss: it can use ${this.scopeNames.join(', ')} and the names it declares`);
  }

  #visitFunction(node: Extract<AnyNode, { type: 'FunctionDeclaration' | 'FunctionExpression' | 'ArrowFunctionExpression' }>, scope: Scope): void {
    if (node.async) this.#refuse(node, 'async functions are not allowed: a loss is computed synchronously');
    if (node.generator) this.#refuse(node, 'generators are not allowed in a loss');
    const inner: Scope = { names: new Set(), parent: scope };
    if (node.type === 'FunctionExpression' && node.id) this.#bindPattern(node.id, inner);
    for (const param of node.params) this.#bindPattern(param, inner);
    for (const param of node.params) this.#visitPatternDefaults(param, inner);
    if (node.body.type === 'BlockStatement') {
      this.#declareHoisted(node.body.body, inner);
      for (const statement of node.body.body) this.#visit(statement, inner);
    } else {
      this.#visit(node.body, inner);
    }
  }

  #visitBlock(statements: readonly AnyNode[], scope: Scope): void {
    const inner: Scope = { names: new Set(), parent: scope };
    this.#declareHoisted(statements, inner);
    for (const statement of statements) this.#visit(statement, inner);
  }

  /** An assignment's or update's target: a name in scope, or a pattern of them; never a property. */
  #visitTarget(target: Pattern, scope: Scope): void {
    this.#walkPattern(target, scope, 'resolve');
  }

  #visit(node: AnyNode, scope: Scope): void {
    const refused = REFUSED_SYNTAX[node.type];
    if (refused) this.#refuse(node, refused);
    switch (node.type) {
      case 'Identifier':
        return this.#resolve(node, scope);
      case 'Literal':
        if ('regex' in node && node.regex) this.#refuse(node, 'regular expressions are not allowed in a loss');
        return;
      case 'MemberExpression':
        return this.#visitMember(node, scope);
      case 'Property':
        if (node.kind !== 'init') this.#refuse(node, 'getters and setters are not allowed in a loss');
        if (node.computed) this.#checkPropertyKey(node.key, true);
        return this.#visit(node.value, scope);
      case 'VariableDeclaration':
        for (const declarator of node.declarations) {
          this.#visitPatternDefaults(declarator.id, scope);
          if (declarator.init) this.#visit(declarator.init, scope);
        }
        return;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        return this.#visitFunction(node, scope);
      case 'BlockStatement':
        return this.#visitBlock(node.body, scope);
      case 'ForStatement':
      case 'ForOfStatement':
        return this.#visitLoop(node, scope);
      case 'CatchClause': {
        const inner: Scope = { names: new Set(), parent: scope };
        if (node.param) this.#bindPattern(node.param, inner);
        return this.#visitBlock(node.body.body, inner);
      }
      case 'AssignmentExpression':
        this.#visitTarget(node.left, scope);
        return this.#visit(node.right, scope);
      case 'UpdateExpression':
        return this.#visitTarget(node.argument as Pattern, scope);
      case 'UnaryExpression':
        if (node.operator === 'delete') this.#refuse(node, '`delete` is not allowed in a loss');
        return this.#visit(node.argument, scope);
      case 'BreakStatement':
      case 'ContinueStatement':
        if (node.label) this.#refuse(node, REFUSED_SYNTAX.LabeledStatement!);
        return;
      default:
        return this.#visitChildren(node, scope);
    }
  }

  #visitMember(node: Extract<AnyNode, { type: 'MemberExpression' }>, scope: Scope): void {
    if (node.object.type === 'Super') this.#refuse(node.object, REFUSED_SYNTAX.Super!);
    this.#visit(node.object, scope);
    if (node.property.type === 'PrivateIdentifier') this.#refuse(node.property, 'private names are not allowed in a loss');
    // A literal key is checked as the name it is; any other expression is guarded at run time.
    if (node.property.type === 'Literal') return this.#checkPropertyKey(node.property, typeof node.property.value !== 'string' && node.computed);
    if (!node.computed) return this.#checkPropertyKey(node.property, false);
    this.#visit(node.property, scope);
    this.indexes.push({ start: node.property.start, end: node.property.end });
  }

  /** A loop's head declares its names in a scope of its own, which the body sees. */
  #visitLoop(node: Extract<AnyNode, { type: 'ForStatement' | 'ForOfStatement' }>, scope: Scope): void {
    if (node.type === 'ForOfStatement' && node.await) this.#refuse(node, REFUSED_SYNTAX.AwaitExpression!);
    const head: Scope = { names: new Set(), parent: scope };
    const declaration = node.type === 'ForStatement' ? node.init : node.left;
    if (declaration?.type === 'VariableDeclaration') this.#declareHoisted([declaration], head);
    if (node.type === 'ForStatement') return this.#visitChildren(node, head);
    if (node.left.type === 'VariableDeclaration') this.#visit(node.left, head);
    else this.#visitTarget(node.left, head);
    this.#visit(node.right, head);
    this.#visit(node.body, head);
  }

  /** Every child node of a node the switch has no rule for (expressions, statements that only nest). */
  #visitChildren(node: AnyNode, scope: Scope): void {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'loc' || key === 'range') continue;
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) this.#visit(item, scope);
      } else if (isNode(value)) {
        this.#visit(value, scope);
      }
    }
  }
}

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/**
 * Throws a UserLossRefusal unless the parsed loss keeps to the policy; `scopeNames` are its inputs.
 * Returns the index expressions the compiled code must guard.
 */
export function checkUserLossPolicy(program: Program, scopeNames: readonly string[]): readonly IndexRange[] {
  const walker = new LossWalker(scopeNames);
  walker.check(program);
  return walker.indexes;
}
