// Stage 2: judge the loaded spec. Every problem is reported as "<file>: <JSON pointer>: <reason>";
// generation stops before anything is written if there is one.
import path from 'node:path';
import Ajv from 'ajv';
import { addDefinitions, methodSchemas, newAjv, resultVariants, SCHEMA_BASE } from './schemas.mjs';
import { compareVersions, inVersions } from './versions.mjs';
import { accessorPath, wireNameOf } from './names.mjs';

export function validateSpec({ meta, definitions, files }) {
  const errors = [];
  const metaAjv = new Ajv({ allErrors: true, strict: false });
  let checkMeta;
  try {
    checkMeta = metaAjv.compile(meta);
  } catch (e) {
    return [`spec/method.schema.json: /: the meta-schema does not compile: ${e.message}`];
  }
  const ajv = newAjv();
  try {
    addDefinitions(ajv, definitions);
    ajv.getSchema(`${SCHEMA_BASE}definitions.json`);
  } catch (e) {
    errors.push(`spec/definitions.json: /: ${e.message}`);
    return errors;
  }

  const seen = new Map();
  /** Files that passed the meta-schema, for the checks across files. */
  const checked = [];
  for (const { file, protocolDir, doc } of files) {
    const err = (pointer, msg) => errors.push(`${file}: ${pointer || '/'}: ${msg}`);
    if (!checkMeta(doc)) {
      for (const e of checkMeta.errors ?? []) err(e.instancePath, describeMetaError(e));
      continue;
    }
    checked.push({ doc, err });
    if (path.basename(file, '.json') !== doc.method) err('/method', `must equal the file name "${path.basename(file, '.json')}"`);
    if (doc.protocol !== protocolDir) err('/protocol', `is "${doc.protocol}" but the file is in spec/${protocolDir}/`);
    if (seen.has(doc.method)) err('/method', `"${doc.method}" is also declared in ${seen.get(doc.method)}`);
    seen.set(doc.method, file);

    checkVersions(doc.versions, '/versions', err);
    checkParams(doc.params, '/params', doc, err);
    if (doc.notification) checkParams(doc.notification.params, '/notification/params', doc, err);
    checkSessionFacts(doc, err);
    checkWrapperName(doc, err);

    const variants = resultVariants(doc);
    const variantNames = new Set();
    variants.forEach((v, i) => {
      const at = doc.result.variants ? `/result/variants/${i}` : '/result';
      if (variantNames.has(v.name)) err(`${at}/name`, `duplicate variant name "${v.name}"`);
      variantNames.add(v.name);
      for (const p of Object.keys(v.when?.params ?? {})) {
        if (!doc.params.some((q) => q.name === p)) err(`${at}/when/params/${p}`, `no param named "${p}"`);
      }
      const r = v.when?.versions;
      if (r?.since && r?.until && compareVersions(r.since, r.until) >= 0) err(`${at}/when/versions`, 'since must be before until');
      if (doc.protocol === 'mining' && r) err(`${at}/when/versions`, 'Stratum V1 has no protocol versions');
    });
    if (doc.protocol === 'mining' && doc.versions) err('/versions', 'Stratum V1 has no protocol versions');

    for (const s of methodSchemas(doc, definitions)) {
      try {
        ajv.addSchema(s.schema);
        ajv.getSchema(s.id);
      } catch (e) {
        err(pointerOf(doc, s), `schema does not compile: ${e.message}`);
      }
    }
    // Defaults must be values the param itself accepts, or the "filled-in default" conditions lie.
    doc.params.forEach((p, i) => {
      if (!('default' in p)) return;
      if (p.required !== false) err(`/params/${i}/default`, 'only optional params have a default');
      try {
        const id = `${SCHEMA_BASE}${doc.protocol}/${doc.method}.default.${i}.json`;
        const schema = typeof p.schema === 'object' ? { ...p.schema, $id: id } : p.schema;
        if (!ajv.validate(schema, p.default)) err(`/params/${i}/default`, `does not match the param's schema: ${ajv.errorsText()}`);
      } catch (e) {
        err(`/params/${i}/schema`, e.message);
      }
    });
    doc.examples.forEach((ex, i) => {
      if (ex.protocolVersion && doc.versions && !inVersions(ex.protocolVersion, doc.versions)) {
        err(`/examples/${i}/protocolVersion`, `${ex.protocolVersion} is outside the method's versions`);
      }
      if ('result' in ex && !doc.result) err(`/examples/${i}/result`, 'the method has no result');
      if ('notification' in ex && !doc.notification) err(`/examples/${i}/notification`, 'the method has no notification');
    });
  }
  checkEnds(checked);
  checkDeviationIds(checked);
  checkDeviationMethods(checked);
  return errors;
}

// What a wrapper proxy cannot take as a segment: the names every function has (`call`, `apply`, `bind`,
// `toString`, ...; `name` and `length` excepted, which it does take), and what `await` and JSON.stringify look up.
const LANGUAGE_NAMES = new Set(
  [...Object.getOwnPropertyNames(Function.prototype), ...Object.getOwnPropertyNames(Object.prototype), 'then', 'toJSON'].filter((n) => n !== 'name' && n !== 'length'),
);

/**
 * The lite Electrum client carries no list of names: its wrappers turn accessors back into wire names
 * (src/runtime/bind.ts, wireTree). So a request an Electrum client sends must have a name they can give back,
 * or it would be sent under another.
 */
function checkWrapperName(doc, err) {
  if (doc.protocol !== 'electrum' || doc.kind === 'notification' || doc.direction === 'server-to-client') return;
  const accessors = accessorPath(doc.method);
  if (wireNameOf(accessors) !== doc.method) {
    err('/method', `its wrapper ${accessors.join('.')} would send "${wireNameOf(accessors)}": segments must be lower snake_case with no "_" before a digit`);
  }
  const owned = accessors.find((a) => LANGUAGE_NAMES.has(a));
  if (owned) err('/method', `"${owned}" cannot be a wrapper's name: every function has it, or await or JSON.stringify look it up`);
}

/** The methods a deviation names (where checkers look for it) are methods of its own protocol. */
function checkDeviationMethods(checked) {
  const methods = new Set(checked.map(({ doc }) => `${doc.protocol}/${doc.method}`));
  for (const { doc, err } of checked) {
    (doc.deviations ?? []).forEach((d, i) => {
      if (typeof d === 'string') return;
      (d.methods ?? []).forEach((name, j) => {
        if (!methods.has(`${doc.protocol}/${name}`)) err(`/deviations/${i}/methods/${j}`, `no ${doc.protocol} method "${name}"`);
      });
    });
  }
}

/** A deviation's id names it for the checkers that cite it: one entry per id across the whole spec. */
function checkDeviationIds(checked) {
  const ids = new Map();
  for (const { doc, err } of checked) {
    (doc.deviations ?? []).forEach((d, i) => {
      if (typeof d === 'string') return;
      if (ids.has(d.id)) err(`/deviations/${i}/id`, `"${d.id}" is also the id of a deviation of ${ids.get(d.id)}`);
      else ids.set(d.id, `${doc.protocol}/${doc.method}`);
    });
  }
}

/** The facts about a method's place in a session that one file can be checked for on its own. */
function checkSessionFacts(doc, err) {
  const key = doc.subscriptionKey;
  if (key && doc.kind !== 'subscription') err('/subscriptionKey', `only a subscription has a key (this is a ${doc.kind})`);
  else if (key) {
    const count = key.params;
    if (count > doc.params.length) err('/subscriptionKey/params', `is ${count}, but the request has ${doc.params.length} param${doc.params.length === 1 ? '' : 's'}`);
    doc.params.slice(0, count).forEach((p, i) => {
      if (p.required === false) err(`/params/${i}/required`, `"${p.name}" is part of the subscription key, so it must be required`);
    });
    const np = doc.notification?.params ?? [];
    if (np.length !== count + 1) err('/subscriptionKey/params', `is ${count}, but the notification has ${np.length} param${np.length === 1 ? '' : 's'}: it must carry the key, then the value (${count + 1})`);
    const carried = key.inNotifications ?? 'as-sent';
    if (carried === 'script-hash' && count !== 1) err('/subscriptionKey/inNotifications', 'script-hash needs a key of exactly one param (the scriptPubKey)');
    if (carried === 'as-sent') {
      for (let i = 0; i < Math.min(count, np.length, doc.params.length); i++) {
        if (np[i].name !== doc.params[i].name) {
          err(`/notification/params/${i}/name`, `is "${np[i].name}", but key param ${i} of the request is "${doc.params[i].name}" (a key notifications carry another way needs subscriptionKey.inNotifications)`);
        }
      }
    }
  }
  if (doc.ends !== undefined && doc.kind !== 'request') err('/ends', `only a request ends a subscription (this is a ${doc.kind})`);
  if (doc.optionalReply && doc.kind === 'notification') err('/optionalReply', 'a notification is never answered');
  if (doc.sessionState && doc.kind === 'notification') err('/sessionState', 'a notification has no answer to change the session with');
  const resume = doc.sessionState?.resumeParam;
  if (resume !== undefined) {
    const i = doc.params.findIndex((p) => p.name === resume);
    if (i < 0) err('/sessionState/resumeParam', `no param named "${resume}"`);
    else if (doc.params[i].required !== false) err('/sessionState/resumeParam', `"${resume}" must be an optional param: a fresh start sends the request without it`);
  }
}

/** `ends` names a subscription of the same protocol, takes exactly its key, lives within its versions; one unsubscribe each. */
function checkEnds(checked) {
  const byName = new Map(checked.map(({ doc }) => [`${doc.protocol}/${doc.method}`, doc]));
  const enders = new Map();
  for (const { doc, err } of checked) {
    if (doc.ends === undefined || doc.kind !== 'request') continue;
    const target = byName.get(`${doc.protocol}/${doc.ends}`);
    if (!target) {
      err('/ends', `no ${doc.protocol} method "${doc.ends}"`);
      continue;
    }
    if (target.kind !== 'subscription') {
      err('/ends', `"${doc.ends}" is a ${target.kind}, not a subscription`);
      continue;
    }
    const keyNames = target.params.slice(0, target.subscriptionKey?.params ?? 0).map((p) => p.name);
    const names = doc.params.map((p) => p.name);
    if (names.join(',') !== keyNames.join(',')) {
      err('/params', `must be the key params of ${doc.ends}, by the same names: [${keyNames.join(', ')}] (has [${names.join(', ')}])`);
    }
    if (target.versions) {
      const v = doc.versions;
      const within =
        v !== undefined &&
        compareVersions(v.since, target.versions.since) >= 0 &&
        (target.versions.removed === undefined || (v.removed !== undefined && compareVersions(v.removed, target.versions.removed) <= 0));
      if (!within) err('/versions', `must lie within the versions of ${doc.ends} (${target.versions.since}${target.versions.removed ? ` to before ${target.versions.removed}` : '+'})`);
    }
    const key = `${doc.protocol}/${doc.ends}`;
    if (enders.has(key)) err('/ends', `${enders.get(key)} already ends "${doc.ends}"`);
    else enders.set(key, doc.method);
  }
}

function checkVersions(v, at, err) {
  if (!v) return;
  if (v.removed && compareVersions(v.since, v.removed) >= 0) err(`${at}/removed`, 'must be after since');
  if (v.deprecated && compareVersions(v.deprecated, v.since) < 0) err(`${at}/deprecated`, 'must not be before since');
  if (v.deprecated && v.removed && compareVersions(v.deprecated, v.removed) > 0) err(`${at}/deprecated`, 'must not be after removed');
}

function checkParams(params, at, doc, err) {
  const names = new Set();
  let optionalSeen = false;
  params.forEach((p, i) => {
    if (names.has(p.name)) err(`${at}/${i}/name`, `duplicate param name "${p.name}"`);
    names.add(p.name);
    if (p.required === false) optionalSeen = true;
    else if (optionalSeen) err(`${at}/${i}/required`, `required param "${p.name}" follows an optional one`);
    checkVersions(p.versions, `${at}/${i}/versions`, err);
    if (p.versions && doc.protocol === 'mining') err(`${at}/${i}/versions`, 'Stratum V1 has no protocol versions');
  });
}

function pointerOf(doc, s) {
  if (s.role === 'params') return '/params';
  if (s.role === 'notification') return '/notification/params';
  const i = doc.result.variants ? doc.result.variants.findIndex((v) => v.name === s.variant) : -1;
  const at = i >= 0 ? `/result/variants/${i}` : '/result';
  return s.role === 'condition' ? `${at}/when/params/${s.param}` : `${at}/schema`;
}

export function describeMetaError(e) {
  switch (e.keyword) {
    case 'required':
      return `missing required property "${e.params.missingProperty}"`;
    case 'additionalProperties':
      return `unknown property "${e.params.additionalProperty}"`;
    case 'enum':
      return `${e.message}: ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(e.params.allowedValue)}`;
    default:
      return e.message ?? e.keyword;
  }
}
