// Check cypher/*.cypher as Neo4j 5 Cypher with Neo4j's own language service.
//
//   node tools/cypher-check/check.mjs            every cypher/*.cypher
//   node tools/cypher-check/check.mjs FILE...    just these
//
// Prints `ok cypher/x.cypher` for a clean file and one
// `FAIL cypher/x.cypher:LINE:COL message` per problem otherwise; exits 1 if any file
// fails, 2 if the checker itself does not work.
//
// What fails a file:
// - an Error from lintCypherQuery (the syntax parser plus Neo4j's semantic analysis:
//   undefined variables, wrong clause order, misspelt built-in functions, ...).
//   Warnings (unknown labels, deprecations) never fail: there is no database schema here.
// - a mention of `apoc.` or `gds.` anywhere, comments included: neither plugin is installed.
// - a version prefix other than `CYPHER 5`: the target is Neo4j 5.
// - more than one statement, except in schema.cypher: Store.statement() sends a file whole.
// - a string literal joined with `+` to a `$parameter` (build the value in Python, pass it
//   finished), or a Python placeholder (`{name}`, `%s`, `%(name)s`) inside a string
//   literal, which would mean Python edits the statement text.
//   This looks at neighbouring tokens only: `'a' + toString($x)` is not seen.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  highlightSyntax,
  lintCypherQuery,
  parseParameters,
  parseStatementsStrs,
  testData,
} from '@neo4j-cypher/language-support';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CYPHER_DIR = path.join(ROOT, 'cypher');
const MULTI_STATEMENT_FILES = new Set(['schema.cypher']);
const VERSION = 'CYPHER 5';
const ERROR = 1; // DiagnosticSeverity.Error in the language server protocol
const MAX_MESSAGE = 300;

// Neo4j's built-in functions and procedures, so that a misspelt function is an error.
// The package ships them as the `SHOW FUNCTIONS` / `SHOW PROCEDURES` of a Neo4j server
// (its test data, Enterprise with APOC and GDS); plugin entries are dropped here.
function builtIns() {
  const functions = Object.fromEntries(
    Object.entries(testData.mockSchema.functions[VERSION]).filter(([, fn]) => fn.isBuiltIn),
  );
  const procedures = Object.fromEntries(
    Object.entries(testData.mockSchema.procedures[VERSION]).filter(([name]) =>
      /^(db|dbms|tx)\./.test(name),
    ),
  );
  return { functions: { [VERSION]: functions }, procedures: { [VERSION]: procedures } };
}

const BUILT_INS = builtIns();

function lint(text) {
  // Every $parameter is declared, so only undeclared *variables* are errors.
  const parameters = Object.fromEntries(parseParameters(text, false).map((name) => [name, null]));
  const schema = { ...BUILT_INS, defaultLanguage: VERSION, parameters };
  return lintCypherQuery(text, schema, { consoleCommandsEnabled: false }).diagnostics;
}

function problem(line, col, message) {
  return { line, col, message };
}

function positionOf(text, offset) {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before.at(-1).length + 1 };
}

function checkerProblems(text) {
  return lint(text)
    .filter((d) => d.severity === ERROR)
    .map((d) => problem(d.range.start.line + 1, d.range.start.character + 1, d.message));
}

function pluginProblems(text) {
  return [...text.matchAll(/\b(apoc|gds)\./gi)].map((m) => {
    const { line, col } = positionOf(text, m.index);
    return problem(line, col, `mentions ${m[0]}: no APOC or GDS on the server, use plain Cypher`);
  });
}

function codeTokens(text) {
  return highlightSyntax(text).filter((t) => t.tokenType !== 'comment');
}

function statementCountProblems(text, fileName) {
  if (MULTI_STATEMENT_FILES.has(fileName)) return [];
  const statements = parseStatementsStrs(text).filter((s) => codeTokens(s).length > 0);
  if (statements.length <= 1) return [];
  return [problem(1, 1, `holds ${statements.length} statements; one per file (only ${[...MULTI_STATEMENT_FILES].join(', ')} may hold several)`)];
}

const isParam = (t) => t && (t.tokenType === 'paramDollar' || t.tokenType === 'paramValue');
const isString = (t) => t && t.tokenType === 'stringLiteral';
const PLACEHOLDER = /\{\s*\w+\s*\}|%\(\w+\)[sd]|%[sd](?!\w)/;

function tokenProblems(text) {
  const tokens = codeTokens(text);
  const found = [];
  const at = (t, message) =>
    found.push(problem(t.position.line + 1, t.position.startCharacter + 1, message));
  tokens.forEach((t, i) => {
    if (t.tokenType === 'keyword' && t.token.toUpperCase() === 'CYPHER') {
      const next = tokens[i + 1];
      if (next && next.tokenType === 'numberLiteral' && next.token !== '5') {
        at(t, `CYPHER ${next.token} is not Neo4j 5 Cypher; drop the version prefix`);
      }
    }
    if (t.tokenType === 'operator' && t.token === '+') {
      const [left, right] = [tokens[i - 1], tokens[i + 1]];
      if ((isString(left) && isParam(right)) || (isParam(left) && isString(right))) {
        at(t, 'string built with + from a $parameter: build the value in Python and pass it as one parameter');
      }
    }
    if (isString(t) && PLACEHOLDER.test(t.token)) {
      at(t, `string literal ${t.token} holds a Python placeholder: use a $parameter`);
    }
  });
  return found;
}

function checkFile(file) {
  const text = readFileSync(file, 'utf8');
  const name = path.basename(file);
  if (codeTokens(text).length === 0) return [problem(1, 1, 'no statement in the file')];
  return [
    ...pluginProblems(text),
    ...statementCountProblems(text, name),
    ...tokenProblems(text),
    ...checkerProblems(text),
  ].sort((a, b) => a.line - b.line || a.col - b.col);
}

// The language service swallows any crash of its semantic analysis and then reports
// nothing, which would pass every file; so first make sure it still finds known errors.
function selfTest() {
  const mustFail = {
    'MATCH (n) RETURN m': 'undefined variable',
    'MATCH (n) RETRUN n': 'syntax error',
    'MATCH (n) RETURN lenght(n)': 'unknown function',
    'MATCH (n) RETURN n.id AS a, n.x AS a': 'duplicate column',
  };
  const missed = Object.entries(mustFail)
    .filter(([query]) => checkerProblems(query).length === 0)
    .map(([query, what]) => `${what} (${query})`);
  const mustPass = 'UNWIND $rows AS r MERGE (a:Account {id: r.id}) ON CREATE SET a.created_at = datetime(r.created_at) RETURN count(a) AS n';
  const wrong = checkerProblems(mustPass);
  if (missed.length || wrong.length) {
    console.error(`cypher-check: the checker does not work on this Node ${process.version}:`);
    for (const m of missed) console.error(`  not reported: ${m}`);
    for (const w of wrong) console.error(`  reported on a valid query: ${w.message}`);
    process.exit(2);
  }
}

function display(file) {
  const rel = path.relative(ROOT, file);
  return rel.startsWith('..') ? file : rel;
}

function oneLine(message) {
  const flat = message.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE)}…` : flat;
}

function main(args) {
  selfTest();
  const files = args.length
    ? args.map((f) => path.resolve(f))
    : readdirSync(CYPHER_DIR)
        .filter((f) => f.endsWith('.cypher'))
        .sort()
        .map((f) => path.join(CYPHER_DIR, f));
  if (files.length === 0) {
    console.error(`cypher-check: no .cypher files in ${display(CYPHER_DIR)}`);
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    const problems = checkFile(file);
    if (problems.length === 0) {
      console.log(`ok ${display(file)}`);
      continue;
    }
    failed += 1;
    for (const p of problems) console.log(`FAIL ${display(file)}:${p.line}:${p.col} ${oneLine(p.message)}`);
  }
  console.log(`cypher-check: ${files.length} files checked, ${failed} failing`);
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
