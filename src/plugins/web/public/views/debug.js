// A server's Debug tab: pick an object and a function, fill a form built from the parameters' types (or write the
// arguments as JSON), pick a node, Call; the answer shows pretty-printed with its return code and duration, and the
// session's last calls are listed. The interface comes from GET /api/debug/:app/:server, which says where it found it
// (the patch store's .tars files, reflection, or .tars text pasted here).
import {announce, api, failureAlert, failureText, h, serverPath} from '../lib.js';

/** @type {import('./server.js').ServerTab} */
export const debugTab = {id: 'debug', title: 'Debug', panel: (ctx) => debugPanel(ctx)};

/** Structs nest this deep as fieldsets; deeper ones are a JSON text area. */
const MAX_DEPTH = 4;
/** Calls kept in the history (this browser tab's session). */
const MAX_HISTORY = 20;
const INT_RANGE = /** @type {Record<string, [number, number]>} */ ({byte: [-128, 127], short: [-32768, 32767],
  int: [-2147483648, 2147483647], ubyte: [0, 255], ushort: [0, 65535], uint: [0, 4294967295]});
const SCALARS = new Set(['bool', 'byte', 'short', 'int', 'long', 'float', 'double', 'string', 'ubyte', 'ushort', 'uint', 'enum']);

/** An input's value that cannot be sent: its path and what is expected; the field gets focus. */
class FieldError extends Error {
  /** @param {string} path @param {string} expected @param {HTMLElement} input */
  constructor(path, expected, input) {
    super(`${path}: expected ${expected}`);
    this.input = input;
  }
}

let ids = 0;
const nextId = (/** @type {string} */ base) => `dbg-${base.replace(/[^A-Za-z0-9_-]/g, '-')}-${++ids}`;

/** A type as IDL text. @param {any} t */
function typeText(t) {
  if (t.kind === 'vector') return `vector<${typeText(t.elem)}>`;
  if (t.kind === 'map') return `map<${typeText(t.key)}, ${typeText(t.value)}>`;
  if (t.kind === 'struct' || t.kind === 'enum') return t.name.split('.').pop();
  return t.kind;
}

/** `int EchoHello(string req, out string resp)`. @param {any} op */
function signature(op) {
  return `${op.ret ? typeText(op.ret) : 'void'} ${op.name}(${op.params.map((/** @type {any} */ p) =>
    `${p.out ? 'out ' : ''}${typeText(p.type)} ${p.name}`).join(', ')})`;
}

/**
 * Makes the controls of one value of type `t`; `get()` reads its JSON value (throws FieldError), `set(v)` fills it.
 * @param {any} t @param {string} path @param {string} label @param {{structs: Map<string, any>, enums: Map<string, any>}} types @param {number} depth
 * @returns {{el: HTMLElement, get: () => any, set: (v: any) => void}}
 */
function control(t, path, label, types, depth) {
  const id = nextId(path);
  const labelled = (/** @type {HTMLElement} */ input, /** @type {string} */ hint) => h('div', {class: 'dbg-field'},
    h('label', {for: id}, label, ' ', h('span', {class: 'muted'}, hint)), input);
  if (t.kind === 'bool') {
    const box = /** @type {HTMLInputElement} */ (h('input', {type: 'checkbox', id, name: path}));
    return {el: h('div', {class: 'dbg-field dbg-check'}, box, h('label', {for: id}, label, ' ', h('span', {class: 'muted'}, 'bool'))),
      get: () => box.checked, set: (v) => { box.checked = v === true; }};
  }
  if (t.kind in INT_RANGE || t.kind === 'long') {
    const [min, max] = INT_RANGE[t.kind] ?? [undefined, undefined];
    const input = /** @type {HTMLInputElement} */ (h('input', {type: t.kind === 'long' ? 'text' : 'number', id, name: path,
      inputmode: 'numeric', step: 1, min, max, value: '0'}));
    return {el: labelled(input, t.kind === 'long' ? 'long' : `${t.kind} ${min}..${max}`),
      get: () => {
        const text = input.value.trim();
        if (!/^[-+]?\d+$/.test(text)) throw new FieldError(path, `a whole number (${t.kind})`, input);
        if (t.kind === 'long') {
          const v = BigInt(text);
          if (v < -(2n ** 63n) || v > 2n ** 63n - 1n) throw new FieldError(path, 'a 64-bit signed number', input);
          return text.replace(/^\+/, '');
        }
        const v = Number(text);
        if (v < /** @type {number} */ (min) || v > /** @type {number} */ (max)) throw new FieldError(path, `${t.kind} from ${min} to ${max}`, input);
        return v;
      },
      set: (v) => { input.value = String(v ?? 0); }};
  }
  if (t.kind === 'float' || t.kind === 'double') {
    const input = /** @type {HTMLInputElement} */ (h('input', {type: 'number', id, name: path, step: 'any', value: '0'}));
    return {el: labelled(input, t.kind), get: () => {
      if (input.value.trim() === '' || !Number.isFinite(Number(input.value))) throw new FieldError(path, `a number (${t.kind})`, input);
      return Number(input.value);
    }, set: (v) => { input.value = String(v ?? 0); }};
  }
  if (t.kind === 'string') {
    const input = /** @type {HTMLInputElement} */ (h('input', {type: 'text', id, name: path, autocomplete: 'off'}));
    return {el: labelled(input, 'string'), get: () => input.value, set: (v) => { input.value = String(v ?? ''); }};
  }
  if (t.kind === 'enum') {
    const e = types.enums.get(t.name);
    const select = /** @type {HTMLSelectElement} */ (h('select', {id, name: path},
      ...(e?.members ?? []).map((/** @type {any} */ m) => h('option', {value: m.name}, `${m.name} (${m.value})`))));
    return {el: labelled(select, typeText(t)), get: () => select.value, set: (v) => { select.value = String(v); }};
  }
  if (t.kind === 'vector' && t.elem.kind === 'byte') {
    const input = /** @type {HTMLInputElement} */ (h('input', {type: 'text', id, name: path, class: 'mono', autocomplete: 'off'}));
    return {el: labelled(input, 'vector<byte>, base64'), get: () => {
      if (!/^[A-Za-z0-9+/=_-]*$/.test(input.value.trim())) throw new FieldError(path, 'base64 text', input);
      return input.value.trim();
    }, set: (v) => { input.value = String(v ?? ''); }};
  }
  if (t.kind === 'struct' && depth < MAX_DEPTH) {
    const s = types.structs.get(t.name);
    const fields = (s?.fields ?? []).map((/** @type {any} */ f) => ({f, c: control(f.type, `${path}.${f.name}`,
      `${f.name}${f.required ? '' : ' (optional)'}`, types, depth + 1)}));
    return {el: h('fieldset', {class: 'dbg-struct'}, h('legend', {}, `${label} `, h('span', {class: 'muted'}, typeText(t))),
      ...fields.map((x) => x.c.el)),
    get: () => Object.fromEntries(fields.map((x) => [x.f.name, x.c.get()])),
    set: (v) => { for (const x of fields) if (v && Object.hasOwn(v, x.f.name)) x.c.set(v[x.f.name]); }};
  }
  const simpleVector = t.kind === 'vector' && SCALARS.has(t.elem.kind);
  const simpleMap = t.kind === 'map' && SCALARS.has(t.key.kind) && SCALARS.has(t.value.kind);
  if ((simpleVector || simpleMap) && depth < MAX_DEPTH) return rows(t, path, label, types, depth, simpleMap);
  // Anything else (containers of structs, nested containers, structs too deep): JSON in a text area.
  const area = /** @type {HTMLTextAreaElement} */ (h('textarea', {id, name: path, rows: 4, spellcheck: 'false', class: 'mono'}));
  area.value = JSON.stringify(zero(t, types, depth), null, 1);
  return {el: labelled(area, `${typeText(t)} as JSON`), get: () => {
    try {
      return JSON.parse(area.value);
    } catch (e) {
      throw new FieldError(path, `JSON (${/** @type {Error} */ (e).message})`, area);
    }
  }, set: (v) => { area.value = JSON.stringify(v, null, 1); }};
}

/**
 * A vector or map of simple values as repeatable rows with Add and Remove.
 * @param {any} t @param {string} path @param {string} label @param {any} types @param {number} depth @param {boolean} isMap
 */
function rows(t, path, label, types, depth, isMap) {
  /** @type {{row: HTMLElement, key?: ReturnType<typeof control>, value: ReturnType<typeof control>}[]} */
  const items = [];
  const list = h('ol', {class: 'dbg-rows'});
  const add = (/** @type {any} */ v) => {
    const i = items.length;
    const key = isMap ? control(t.key, `${path}[${i}].key`, `key ${i + 1}`, types, depth + 1) : undefined;
    const value = control(isMap ? t.value : t.elem, `${path}[${i}]${isMap ? '.value' : ''}`, isMap ? `value ${i + 1}` : `item ${i + 1}`,
      types, depth + 1);
    const item = {row: h('li', {}), key, value};
    const remove = h('button', {type: 'button', class: 'small', 'aria-label': `Remove ${isMap ? 'entry' : 'item'} ${i + 1} of ${label}`,
      onclick: () => {
        items.splice(items.indexOf(item), 1);
        item.row.remove();
      }}, 'Remove');
    item.row.append(...(key ? [key.el] : []), value.el, remove);
    if (v !== undefined) {
      if (isMap) {
        key?.set(v.key);
        value.set(v.value);
      } else value.set(v);
    }
    items.push(item);
    list.append(item.row);
  };
  return {el: h('fieldset', {class: 'dbg-struct'}, h('legend', {}, `${label} `, h('span', {class: 'muted'}, typeText(t))), list,
    h('button', {type: 'button', class: 'small', 'aria-label': `Add ${isMap ? 'an entry' : 'an item'} to ${label}`,
      onclick: () => add(undefined)}, isMap ? 'Add entry' : 'Add item')),
  get: () => items.map((x) => (isMap ? {key: x.key?.get(), value: x.value.get()} : x.value.get())),
  set: (v) => {
    for (const x of items.splice(0)) x.row.remove();
    const entries = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.entries(v).map(([key, value]) => ({key, value})) : [];
    for (const e of entries) add(e);
  }};
}

/** The zero value of a type as JSON (bounded depth). @param {any} t @param {any} types @param {number} depth @returns {any} */
function zero(t, types, depth) {
  switch (t.kind) {
    case 'bool': return false;
    case 'string': return '';
    case 'long': case 'uint': return '0';
    case 'enum': return types.enums.get(t.name)?.members[0]?.name ?? 0;
    case 'vector': return t.elem.kind === 'byte' ? '' : [];
    case 'map': return [];
    case 'struct': return depth > 8 ? {} : Object.fromEntries((types.structs.get(t.name)?.fields ?? [])
      .map((/** @type {any} */ f) => [f.name, zero(f.type, types, depth + 1)]));
    default: return 0;
  }
}

/** @returns {any[]} */
function loadHistory() {
  try {
    return JSON.parse(sessionStorage.getItem('tars-debug-history') ?? '[]');
  } catch {
    return [];
  }
}

/** @param {import('./server.js').ServerContext} ctx */
function debugPanel({app, server, key}) {
  const base = serverPath('debug', app, server);
  const status = h('p', {class: 'status', role: 'status', id: 'debug-status'}, 'Loading the interface…');
  const picker = h('div', {id: 'debug-picker'});
  const formBox = h('div', {id: 'debug-form'});
  const result = h('div', {id: 'debug-result', 'aria-live': 'polite'});
  const historyBox = h('div', {id: 'debug-history'});
  const pasteBox = h('div', {id: 'debug-paste'});
  const el = h('section', {'aria-labelledby': 'debug-title'}, h('h3', {id: 'debug-title'}, `Interface debugger of ${key}`),
    status, picker, formBox, result, historyBox, pasteBox);
  /** @type {any} */
  let described = null;

  const load = async (/** @type {Promise<any>} */ answer) => {
    try {
      described = await answer;
      showPicker();
    } catch (e) {
      status.className = 'status error';
      status.textContent = `The interface could not be read: ${failureText(e)}`;
    }
    showPaste();
  };

  const showPicker = () => {
    const objects = described.objects;
    if (objects.length === 0) {
      status.textContent = `${key} has no TARS object to call.`;
      picker.replaceChildren();
      return;
    }
    const objSelect = /** @type {HTMLSelectElement} */ (h('select', {id: 'debug-obj', name: 'obj'},
      ...objects.map((/** @type {any} */ o) => h('option', {value: o.obj}, o.obj))));
    const funcBox = h('div', {class: 'actions'});
    const source = h('p', {class: 'muted', id: 'debug-source'});
    const pick = () => {
      const o = objects.find((/** @type {any} */ x) => x.obj === objSelect.value);
      status.className = 'status';
      if (!o.interface) {
        status.className = 'status error';
        status.textContent = `No interface of ${o.obj}: ${o.problem}. Paste its .tars file below.`;
        source.textContent = '';
        funcBox.replaceChildren();
        formBox.replaceChildren();
        return;
      }
      status.textContent = `${o.interface.operations.length} functions of ${o.obj}.`;
      source.replaceChildren(h('span', {class: 'dbg-source', 'data-source': o.sourceKind}, `Interface from ${o.source}`),
        o.problem && o.sourceKind !== 'patch' ? ` (${o.problem})` : '');
      const funcSelect = /** @type {HTMLSelectElement} */ (h('select', {id: 'debug-func', name: 'function'},
        ...o.interface.operations.map((/** @type {any} */ op) => h('option', {value: op.name}, op.name))));
      const show = () => showForm(o, o.interface.operations.find((/** @type {any} */ op) => op.name === funcSelect.value));
      funcSelect.addEventListener('change', show);
      funcBox.replaceChildren(h('label', {for: 'debug-func'}, 'Function', funcSelect));
      show();
    };
    objSelect.addEventListener('change', pick);
    picker.replaceChildren(h('div', {class: 'actions'}, h('label', {for: 'debug-obj'}, 'Object', objSelect)), funcBox, source);
    pick();
  };

  const showForm = (/** @type {any} */ o, /** @type {any} */ op, /** @type {any} */ args) => {
    const types = {structs: new Map(o.interface.structs.map((/** @type {any} */ s) => [s.name, s])),
      enums: new Map(o.interface.enums.map((/** @type {any} */ e) => [e.name, e]))};
    const ins = op.params.filter((/** @type {any} */ p) => !p.out);
    const fields = ins.map((/** @type {any} */ p) => ({p, c: control(p.type, p.name, p.name, types, 0)}));
    if (args) for (const x of fields) if (Object.hasOwn(args, x.p.name)) x.c.set(args[x.p.name]);
    const raw = /** @type {HTMLTextAreaElement} */ (h('textarea', {id: 'debug-raw', name: 'args', rows: 8, spellcheck: 'false', class: 'mono'}));
    const rawBox = h('div', {hidden: true}, h('label', {for: 'debug-raw'}, `Arguments of ${op.name} as JSON`), raw);
    const fieldsBox = h('div', {class: 'dbg-fields'}, ...fields.map((x) => x.c.el),
      fields.length === 0 ? h('p', {class: 'muted'}, `${op.name} takes no argument.`) : '');
    let rawMode = false;
    const formButton = h('button', {type: 'button', 'aria-pressed': 'true'}, 'Form');
    const rawButton = h('button', {type: 'button', 'aria-pressed': 'false'}, 'Raw JSON');
    const readForm = () => Object.fromEntries(fields.map((x) => [x.p.name, x.c.get()]));
    const setMode = (/** @type {boolean} */ toRaw) => {
      if (toRaw && !rawMode) {
        try {
          raw.value = JSON.stringify(readForm(), null, 2);
        } catch {
          raw.value = JSON.stringify(Object.fromEntries(ins.map((/** @type {any} */ p) => [p.name, zero(p.type, types, 0)])), null, 2);
        }
      }
      if (!toRaw && rawMode) {
        try {
          const v = JSON.parse(raw.value);
          for (const x of fields) if (v && Object.hasOwn(v, x.p.name)) x.c.set(v[x.p.name]);
        } catch {
          // the form keeps its values when the JSON does not parse
        }
      }
      rawMode = toRaw;
      rawBox.hidden = !toRaw;
      fieldsBox.hidden = toRaw;
      formButton.setAttribute('aria-pressed', String(!toRaw));
      rawButton.setAttribute('aria-pressed', String(toRaw));
    };
    formButton.addEventListener('click', () => setMode(false));
    rawButton.addEventListener('click', () => setMode(true));
    const nodeSelect = /** @type {HTMLSelectElement} */ (h('select', {id: 'debug-node', name: 'node'},
      h('option', {value: ''}, 'any (the registry picks)'),
      ...o.endpoints.map((/** @type {any} */ e) => h('option', {value: e.node}, `${e.node} (${e.endpoint})`))));
    const timeout = /** @type {HTMLInputElement} */ (h('input', {id: 'debug-timeout', name: 'timeoutMs', type: 'number', min: 1,
      max: 60000, step: 1, value: '3000', inputmode: 'numeric'}));
    const callButton = h('button', {type: 'submit', class: 'primary'}, `Call ${op.name}`);
    const problem = h('div', {});
    const form = h('form', {class: 'dbg-form', 'aria-label': `Arguments of ${op.name}`, novalidate: true,
      onsubmit: async (/** @type {Event} */ ev) => {
        ev.preventDefault();
        problem.replaceChildren();
        for (const bad of form.querySelectorAll('[aria-invalid]')) bad.removeAttribute('aria-invalid');
        /** @type {any} */
        let body;
        try {
          body = rawMode ? JSON.parse(raw.value || '{}') : readForm();
        } catch (e) {
          const input = e instanceof FieldError ? e.input : raw;
          input.setAttribute('aria-invalid', 'true');
          input.focus();
          problem.replaceChildren(h('p', {class: 'status error', role: 'alert'}, e instanceof FieldError ? e.message
            : `The arguments are not valid JSON: ${/** @type {Error} */ (e).message}`));
          return;
        }
        const ms = Number(timeout.value);
        await call(o, op, body, nodeSelect.value, Number.isInteger(ms) && ms > 0 ? ms : 3000, callButton);
      }},
    h('h4', {class: 'mono', id: 'debug-signature'}, signature(op)),
    h('div', {class: 'actions', role: 'group', 'aria-label': 'How to give the arguments'}, formButton, rawButton),
    fieldsBox, rawBox,
    h('div', {class: 'actions'}, h('label', {for: 'debug-node'}, 'Node', nodeSelect),
      h('label', {for: 'debug-timeout'}, 'Timeout (ms)', timeout), callButton),
    problem);
    formBox.replaceChildren(form);
  };

  const call = async (/** @type {any} */ o, /** @type {any} */ op, /** @type {any} */ args, /** @type {string} */ node,
    /** @type {number} */ timeoutMs, /** @type {HTMLElement} */ button) => {
    button.setAttribute('disabled', '');
    result.replaceChildren(h('p', {class: 'status', role: 'status'}, `Calling ${op.name}…`));
    const entry = {at: Date.now(), obj: o.obj, func: op.name, args, node, ok: false, ret: 0, ms: 0, text: ''};
    try {
      const done = await api(`${base}/call`, {obj: o.obj, function: op.name, args, ...(node ? {node} : {}), timeoutMs});
      const shown = done.truncated ? done.truncated.preview : JSON.stringify({returns: done.returns, outs: done.outs}, null, 2);
      const line = `ret ${done.ret} · ${done.durationMs} ms · ${done.endpoint}`;
      result.replaceChildren(h('h4', {}, `Answer of ${op.name}`),
        h('p', {class: 'status', role: 'status', id: 'debug-answer-status'}, line),
        done.truncated ? h('p', {class: 'status error'}, `The answer is ${done.truncated.bytes} bytes: only its start is shown.`) : '',
        h('pre', {class: 'mono dbg-answer', id: 'debug-answer', tabindex: 0, 'aria-label': `Answer of ${op.name}`}, shown));
      announce(`${op.name} answered: ret ${done.ret} in ${done.durationMs} ms`);
      Object.assign(entry, {ok: true, ret: done.ret, ms: done.durationMs, text: line});
    } catch (e) {
      const err = /** @type {any} */ (e);
      result.replaceChildren(failureAlert(err));
      announce(`${op.name} failed: ${err.message}`);
      Object.assign(entry, {ret: err.status === 502 ? err.code : err.status, text: err.message});
    } finally {
      button.removeAttribute('disabled');
    }
    const history = [entry, ...loadHistory()].slice(0, MAX_HISTORY);
    try {
      sessionStorage.setItem('tars-debug-history', JSON.stringify(history));
    } catch {
      // storage full or off: the history shows what it has
    }
    showHistory();
  };

  const showHistory = () => {
    const mine = loadHistory().filter((/** @type {any} */ x) => x.obj.startsWith(`${key}.`));
    if (mine.length === 0) {
      historyBox.replaceChildren();
      return;
    }
    historyBox.replaceChildren(h('h4', {id: 'debug-history-title'}, 'Last calls'),
      h('ol', {class: 'history', 'aria-labelledby': 'debug-history-title'}, ...mine.map((/** @type {any} */ x, /** @type {number} */ i) =>
        h('li', {'data-ok': String(x.ok)}, `${new Date(x.at).toLocaleTimeString()} · ${x.obj.split('.').pop()}.${x.func}` +
          `${x.node ? ` on ${x.node}` : ''} · ${x.ok ? `ret ${x.ret} · ${x.ms} ms` : `failed: ${x.text}`} `,
        h('button', {type: 'button', class: 'small', 'aria-label': `Load the arguments of call ${i + 1} (${x.func})`, onclick: () => {
          const o = described?.objects.find((/** @type {any} */ y) => y.obj === x.obj);
          const op = o?.interface?.operations.find((/** @type {any} */ y) => y.name === x.func);
          if (o && op) showForm(o, op, x.args);
        }}, 'Load')))));
  };

  const showPaste = () => {
    const name = /** @type {HTMLInputElement} */ (h('input', {id: 'debug-paste-name', name: 'file', value: `${server}.tars`,
      pattern: '[A-Za-z0-9_][A-Za-z0-9_.\\-]*\\.tars'}));
    const text = /** @type {HTMLTextAreaElement} */ (h('textarea', {id: 'debug-paste-text', name: 'tars', rows: 8, spellcheck: 'false',
      class: 'mono', placeholder: 'module App { interface Hello { int hi(string s, out string r); }; };'}));
    const file = /** @type {HTMLInputElement} */ (h('input', {id: 'debug-paste-file', type: 'file', accept: '.tars'}));
    file.addEventListener('change', async () => {
      const f = file.files?.[0];
      if (!f) return;
      if (f.size > 512 * 1024) {
        pasteStatus.className = 'status error';
        pasteStatus.textContent = `${f.name} is over 512 KiB.`;
        return;
      }
      name.value = f.name;
      text.value = await f.text();
    });
    const pasteStatus = h('p', {class: 'status', role: 'status'},
      described?.pasted?.length ? `Pasted for this session: ${described.pasted.join(', ')}.` : '');
    const forget = described?.pasted?.length ? h('button', {type: 'button', 'aria-label': `Forget the .tars text pasted for ${key}`,
      onclick: () => void load(api(`${base}/interface`, {}, 'DELETE'))}, 'Forget pasted') : '';
    pasteBox.replaceChildren(h('details', {open: described?.objects?.some((/** @type {any} */ o) => !o.interface) ? true : false},
      h('summary', {}, 'Paste or upload a .tars file'),
      h('p', {class: 'muted'}, 'Used when neither the patch store nor the server itself gives the interface; kept for this session only.'),
      h('form', {class: 'dbg-form', 'aria-label': `A .tars file for ${key}`, onsubmit: async (/** @type {Event} */ ev) => {
        ev.preventDefault();
        pasteStatus.className = 'status';
        pasteStatus.textContent = 'Reading the .tars text…';
        let answer;
        try {
          answer = await api(`${base}/interface`, {files: {[name.value.trim()]: text.value}});
        } catch (e) {
          pasteStatus.className = 'status error';
          pasteStatus.setAttribute('role', 'alert');
          pasteStatus.textContent = `Not used: ${failureText(e)}`;
          return;
        }
        announce(`.tars text kept for ${key}`);
        await load(Promise.resolve(answer));
      }},
      h('label', {for: 'debug-paste-file'}, 'Upload', file),
      h('label', {for: 'debug-paste-name'}, 'File name', name),
      h('label', {for: 'debug-paste-text'}, '.tars text'), text,
      h('div', {class: 'actions'}, h('button', {type: 'submit'}, `Use this .tars for ${key}`), forget), pasteStatus)));
  };

  void load(api(base));
  showHistory();
  return el;
}
