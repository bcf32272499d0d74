// Ace by DAISY over several EPUBs in one Node process and one Chromium: one JSON line per book.
// Usage: node ace_batch.js ACE_PACKAGE_DIR OUTDIR BOOK.epub...  (newsbook/builders/ace.py runs it)
// The CLI (ace-puppeteer) checks one book per process and starts a browser for each; here the
// browser is launched once and shared, which is most of the time Ace takes on a small book.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const [aceDir, outRoot, ...books] = process.argv.slice(2);
// Resolve Ace's own modules from its package, wherever npm put it (a venv folder or global).
const requireAce = createRequire(path.join(aceDir, 'package.json'));
const requireCore = createRequire(requireAce.resolve('@daisy/ace-core'));
const winston = requireCore('winston');
winston.configure({ level: 'error', transports: [new winston.transports.Console({ silent: true })] });
const ace = requireAce('@daisy/ace-core');
const runner = requireAce('@daisy/ace-axe-runner-puppeteer');

// Ace launches and closes the browser for every book: launch it once, close it at the end.
const realLaunch = runner.launch.bind(runner);
const realClose = runner.close.bind(runner);
let launched = null;
runner.launch = () => (launched = launched || realLaunch());
runner.close = async () => {};

function violations(report) {
  const found = [];
  for (const group of report.assertions || []) {
    const file = (group['earl:testSubject'] || {}).url || '';
    for (const item of group.assertions || []) {
      const result = item['earl:result'] || {};
      if (result['earl:outcome'] !== 'fail') continue;
      const test = item['earl:test'] || {};
      const pointer = result['earl:pointer'] || {};
      found.push({
        file,
        rule: test['dct:title'] || '',
        impact: test['earl:impact'] || '',
        where: [].concat(pointer.css || []).join(' '),
        description: (result['dct:description'] || test['dct:description'] || '').trim(),
      });
    }
  }
  return found;
}

(async () => {
  let failed = false;
  for (const [index, book] of books.entries()) {
    const outdir = path.join(outRoot, String(index));
    try {
      const [, report] = await ace(book, { cwd: process.cwd(), outdir, silent: true, jobId: '' }, runner);
      const outcome = (report['earl:result'] || {})['earl:outcome'] || 'unknown';
      console.log(JSON.stringify({ book, outcome, violations: violations(report) }));
    } catch (err) {
      failed = true;
      const message = (err && err.message) || String(err || '') || 'Ace could not check this book';
      console.log(JSON.stringify({ book, error: message }));
    }
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  if (launched) await realClose();
  process.exit(failed ? 1 : 0);
})();
