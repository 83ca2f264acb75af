/**
 * The small template language of `templates/`: `{{name}}` is replaced by a variable; `{{#flag}}...{{/flag}}` is
 * kept only when the flag is on and `{{^flag}}...{{/flag}}` only when it is off (sections do not nest). A section
 * tag alone on its line takes the whole line with it, so sections leave no blank lines behind. An unknown variable
 * or flag is an error: a template that says something the scaffold does not know is a bug, not output.
 */
export function renderTemplate(text: string, vars: Readonly<Record<string, string>>,
  flags: Readonly<Record<string, boolean>>, name = 'template'): string {
  const flag = (f: string): boolean => {
    if (!Object.hasOwn(flags, f)) throw new Error(`${name}: unknown section {{#${f}}}`);
    return flags[f];
  };
  const keep = (kind: string, f: string, body: string): string => ((kind === '#') === flag(f) ? body : '');
  const sectioned = text
    .replace(/^[ \t]*\{\{([#^])(\w+)\}\}[ \t]*\r?\n([\s\S]*?)^[ \t]*\{\{\/\2\}\}[ \t]*(?:\r?\n|$)/gm,
      (_all, kind: string, f: string, body: string) => keep(kind, f, body))
    .replace(/\{\{([#^])(\w+)\}\}([\s\S]*?)\{\{\/\2\}\}/g, (_all, kind: string, f: string, body: string) => keep(kind, f, body));
  return sectioned.replace(/\{\{(\w+)\}\}/g, (_all, v: string) => {
    if (!Object.hasOwn(vars, v)) throw new Error(`${name}: unknown variable {{${v}}}`);
    return vars[v];
  });
}
