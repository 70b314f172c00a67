#!/usr/bin/env node
// Maintainer tool: refreshes `sim-blocks.json` (the facts of Sim's block definitions that the
// block registry reads) from a checkout of simstudioai/sim. Not used at build or run time.
//
//   node src/sim/registry/extract-sim-blocks.cjs <sim checkout> <typescript module dir> <out.json> <version> <commit>
//
// e.g. `... ../sim ui/node_modules/typescript src/sim/registry/sim-blocks.json v0.8.9 0b232eb8...`
//
// How: Sim's TypeScript is transpiled file by file (typescript's transpileModule, no type
// checking) and loaded with its path aliases (`@/…` = apps/sim, `@sim/<pkg>` = packages/<pkg>);
// every npm package is replaced by an inert stand-in, so only Sim's own modules run. Then, for
// each selected block type, it reads the block config (`apps/sim/blocks/registry-maps.ts`) and
// calls Sim's own `prepareBlockState` (`apps/sim/stores/workflows/utils.ts`, what the editor
// calls when a block is dropped) to learn the values and outputs a new block starts with.
// Only facts are written: ids, titles, types, options, defaults, conditions, outputs.
'use strict'
const Module = require('module')
const fs = require('fs')
const path = require('path')

const [simDir, tsDir, outFile, version, commit] = process.argv.slice(2)
if (!simDir || !tsDir || !outFile || !version || !commit) {
  console.error('usage: extract-sim-blocks.cjs <sim checkout> <typescript module dir> <out.json> <version> <commit>')
  process.exit(2)
}
const ts = require(path.resolve(tsDir))
const ROOT = path.resolve(simDir)
const APP = path.join(ROOT, 'apps/sim')

/** The block types the registry covers, in palette order. */
const SELECTED = [
  // blocks
  'agent', 'api', 'condition', 'router_v2', 'router', 'function', 'response', 'evaluator',
  'human_in_the_loop', 'wait', 'variables', 'workflow_input', 'workflow', 'knowledge', 'note',
  'guardrails', 'memory', 'thinking', 'translate', 'vision_v2', 'vision', 'image_generator_v2',
  'image_generator', 'mcp', 'file_v5', 'file_v3', 'file', 'table', 'webhook_request', 'search',
  // triggers
  'start_trigger', 'starter', 'schedule', 'generic_webhook', 'api_trigger', 'chat_trigger',
  'input_trigger', 'manual_trigger', 'rss', 'imap',
  // tools (integrations)
  'slack', 'gmail_v2', 'gmail', 'google_sheets_v2', 'google_sheets', 'notion_v2', 'notion',
  'github_v2', 'openai', 'supabase', 'perplexity', 'exa', 'firecrawl', 'tavily', 'serper',
  'google_drive', 'google_docs', 'google_calendar_v2', 'outlook', 'microsoft_teams', 'discord',
  'telegram', 'jira', 'linear_v2', 'airtable', 'hubspot', 'postgresql', 'stripe', 'x', 'youtube',
  'wikipedia',
]

// ---- loading Sim's TypeScript -------------------------------------------------------------

/** An inert stand-in for an npm module: every property and call yields another stand-in. */
function stub(name, own = {}) {
  const fn = function () {}
  Object.assign(fn, own)
  return new Proxy(fn, {
    get(t, k) {
      if (Object.prototype.hasOwnProperty.call(t, k) && k !== 'prototype' && k !== 'length' && k !== 'name') return t[k]
      if (k === '__esModule') return true
      if (k === '__stubName') return name
      if (k === Symbol.toPrimitive) return () => ''
      if (k === Symbol.iterator) return function* () {}
      if (k === 'then') return undefined
      if (k === 'toString' || k === 'valueOf') return () => ''
      if (k === 'prototype') return {}
      if (typeof k === 'symbol') return undefined
      return stub(`${name}.${String(k)}`)
    },
    apply(t, _this, args) {
      // zod: `z.enum([...]).options` is read by a few blocks for option lists.
      if (name === 'zod.z.enum' && Array.isArray(args[0])) return stub(`${name}()`, { options: args[0] })
      return stub(`${name}()`)
    },
    construct() {
      return stub(`new ${name}`)
    },
  })
}

const EXTS = ['.ts', '.tsx', '.js', '/index.ts', '/index.tsx', '/index.js', '']
function tryFile(base) {
  for (const e of EXTS) {
    const f = base + e
    if (fs.existsSync(f) && fs.statSync(f).isFile()) return f
  }
  return null
}
function resolvePackage(req) {
  const [, pkg, ...rest] = req.split('/')
  const dir = path.join(ROOT, 'packages', pkg)
  const sub = rest.length ? `./${rest.join('/')}` : '.'
  try {
    const exp = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).exports
    const entry = exp && exp[sub]
    const target = typeof entry === 'string' ? entry : entry && (entry.default || entry.types)
    if (target) return tryFile(path.join(dir, target))
  } catch {}
  return tryFile(path.join(dir, 'src', rest.join('/') || 'index')) || tryFile(path.join(dir, rest.join('/') || 'index'))
}
const originalResolve = Module._resolveFilename
Module._resolveFilename = function (req, parent, ...rest) {
  if (Module.isBuiltin(req)) return originalResolve.call(this, req, parent, ...rest)
  let f = null
  if (req.startsWith('@/')) f = tryFile(path.join(APP, req.slice(2)))
  else if (req.startsWith('@sim/')) f = resolvePackage(req)
  else if (path.isAbsolute(req)) f = tryFile(req)
  else if (req.startsWith('.') && parent && parent.filename) f = tryFile(path.resolve(path.dirname(parent.filename), req))
  return f || `STUB:${req}`
}
const originalLoad = Module._load
Module._load = function (req, parent, isMain) {
  if (Module.isBuiltin(req)) return originalLoad(req, parent, isMain)
  const resolved = Module._resolveFilename(req, parent)
  if (resolved.startsWith('STUB:')) return stub(req)
  return originalLoad(resolved, parent, isMain)
}
const loadErrors = []
for (const ext of ['.ts', '.tsx']) {
  Module._extensions[ext] = function (module, filename) {
    const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, jsx: ts.JsxEmit.ReactJSX, esModuleInterop: true },
    })
    try {
      module._compile(out.outputText, filename)
    } catch (e) {
      loadErrors.push(`${path.relative(ROOT, filename)}: ${e.message}`)
      module.exports = stub(filename)
    }
  }
}

// ---- reading the facts ----------------------------------------------------------------------

const registry = require(path.join(APP, 'blocks/registry-maps.ts')).BLOCK_REGISTRY
const { prepareBlockState } = require(path.join(APP, 'stores/workflows/utils.ts'))
const { getEffectiveBlockOutputs } = require(path.join(APP, 'lib/workflows/blocks/block-outputs.ts'))
const { hasTriggerCapability } = require(path.join(APP, 'lib/workflows/triggers/trigger-utils.ts'))

const problems = []
/** Plain JSON of a value; functions and stand-ins are reported and dropped. */
function plain(v, where) {
  if (v === undefined) return undefined
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return v
  if (typeof v === 'function') {
    problems.push(`${where}: ${v.__stubName ? `unresolved ${v.__stubName}` : 'a function'}`)
    return undefined
  }
  if (Array.isArray(v)) return v.map((x, i) => plain(x, `${where}[${i}]`)).filter((x) => x !== undefined)
  const o = {}
  for (const [k, x] of Object.entries(v)) {
    const p = plain(x, `${where}.${k}`)
    if (p !== undefined) o[k] = p
  }
  return o
}
function condition(c, where) {
  if (!c) return undefined
  const o = { field: c.field, value: plain(c.value, where) }
  if (c.not) o.not = true
  if (c.and) o.and = condition(c.and, `${where}.and`)
  return o
}
function options(list, where) {
  return list.map((x) => {
    const o = { id: typeof x === 'string' ? x : plain(x.id, where), label: typeof x === 'string' ? x : x.label }
    if (x.group) o.group = x.group
    if (x.hidden) o.hidden = true
    return o
  })
}

function field(s, initial, type) {
  const where = `${type}.${s.id}`
  const f = { id: s.id }
  if (s.title) f.title = s.title
  f.type = s.type
  if (s.mode) f.mode = s.mode
  // What prepareBlockState stores, except the rows it seeds with fresh ids (the registry seeds those).
  const seeded = (s.type === 'input-format' || s.type === 'response-format') && s.defaultValue === undefined && typeof s.value !== 'function'
  const emptyTable = s.type === 'table' && s.defaultValue === undefined && typeof s.value !== 'function'
  if (!seeded && !emptyTable && initial !== null && initial !== undefined) f.default = plain(initial, `${where}.default`)
  if (typeof s.required === 'boolean') {
    if (s.required) f.required = true
  } else if (typeof s.required === 'function') {
    f.required_when = condition(s.required({}), `${where}.required`)
    f.required_dynamic = true
  } else if (s.required) {
    f.required_when = condition(s.required, `${where}.required`)
  }
  if (s.placeholder) f.placeholder = s.placeholder
  if (s.description) f.description = s.description
  if (typeof s.condition === 'function') {
    f.condition = condition(s.condition({}), `${where}.condition`)
    f.condition_dynamic = true
  } else if (s.condition) {
    f.condition = condition(s.condition, `${where}.condition`)
  }
  if (Array.isArray(s.options)) f.options = options(s.options, `${where}.options`)
  else if (typeof s.options === 'function') {
    let list = []
    try {
      list = s.options() || []
    } catch {}
    f.options = options(Array.isArray(list) ? list : [], `${where}.options`)
    f.options_dynamic = true
  }
  for (const [k, out] of [['language', 'language'], ['min', 'min'], ['max', 'max'], ['step', 'step'], ['rows', 'rows'], ['acceptedTypes', 'accepted_types'], ['serviceId', 'service']]) {
    if (s[k] !== undefined) f[out] = s[k]
  }
  if (Array.isArray(s.columns)) f.columns = s.columns
  for (const [k, out] of [['integer', 'integer'], ['multiSelect', 'multi_select'], ['multiple', 'multiple'], ['password', 'password'], ['hidden', 'hidden'], ['readOnly', 'read_only'], ['emptyIsValid', 'empty_is_valid']]) {
    if (s[k]) f[out] = true
  }
  if (s.canonicalParamId) f.canonical = s.canonicalParamId
  if (s.context === 'tool-input') f.tool_input_only = true
  return f
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const blocks = []
for (const type of SELECTED) {
  const b = registry[type]
  if (!b) throw new Error(`Sim has no block type \`${type}\``)
  // The Triggers tab adds trigger blocks in trigger mode when they have trigger fields.
  const triggerMode = b.category === 'triggers' && hasTriggerCapability(b)
  const created = prepareBlockState({ id: 'new', type, name: b.name, position: { x: 0, y: 0 }, triggerMode })
  const out = { type, name: b.name, description: b.description, category: b.category, icon: b.icon && b.icon.name, color: b.bgColor }
  if (b.integrationType) out.integration = b.integrationType
  if (b.docsLink) out.docs = b.docsLink
  if (b.hideFromToolbar) out.hidden = true
  if (b.sunset) out.sunset = { status: b.sunset.status, ...(b.sunset.replacedBy ? { replaced_by: b.sunset.replacedBy } : {}) }
  if (hasTriggerCapability(b)) out.trigger_capable = true
  if (triggerMode) out.trigger_mode = true
  out.outputs = plain(created.outputs, `${type}.outputs`)
  if (hasTriggerCapability(b) && !triggerMode) {
    const t = getEffectiveBlockOutputs(type, created.subBlocks, { triggerMode: true, preferToolOutputs: false })
    out.trigger_outputs = plain(t, `${type}.trigger_outputs`)
  }
  // prepareBlockState keeps the last config of a repeated id; read each config's own initial value.
  out.fields = (b.subBlocks || []).map((s) => {
    let initial = null
    let freshId = false
    if (typeof s.value === 'function') {
      try {
        initial = s.value({})
        // A value() that answers differently each time makes a fresh id (Sim's `generateId`).
        const again = s.value({})
        if (JSON.stringify(again) !== JSON.stringify(initial)) {
          if (!UUID.test(String(initial))) problems.push(`${type}.${s.id}: value() varies and is not an id: ${initial}`)
          freshId = true
          initial = null
        }
      } catch {
        initial = null
      }
    } else if (s.defaultValue !== undefined) initial = s.defaultValue
    const f = field(s, initial, type)
    if (freshId) f.default_new_id = true
    return f
  })
  blocks.push(out)
}

// ---- writing: one field per line, so a Sim upgrade reads as a small diff ------------------------
const lines = []
lines.push('{')
lines.push(`  "sim": ${JSON.stringify({ repository: 'simstudioai/sim', version, commit, source: 'apps/sim/blocks/blocks/*.ts' })},`)
lines.push('  "blocks": [')
blocks.forEach((b, i) => {
  const { fields, ...head } = b
  lines.push('    {')
  for (const [k, v] of Object.entries(head)) lines.push(`      ${JSON.stringify(k)}: ${JSON.stringify(v)},`)
  lines.push('      "fields": [')
  fields.forEach((f, j) => lines.push(`        ${JSON.stringify(f)}${j + 1 < fields.length ? ',' : ''}`))
  lines.push('      ]')
  lines.push(`    }${i + 1 < blocks.length ? ',' : ''}`)
})
lines.push('  ]')
lines.push('}')
fs.writeFileSync(outFile, `${lines.join('\n')}\n`)
for (const p of problems) console.error(`note: ${p}`)
console.error(`${blocks.length} block types, ${blocks.reduce((n, b) => n + b.fields.length, 0)} fields -> ${outFile}`)
if (loadErrors.length) console.error(`(${loadErrors.length} Sim modules outside the blocks did not load: ${loadErrors.join('; ')})`)
process.exit(0)
