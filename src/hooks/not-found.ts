import type {Hook} from '@oclif/core';

/**
 * `tars cal`: says what was not found and the nearest command, in the CLI's error format and with exit code 2
 * (usage), on a terminal or not. On a terminal (not with CI) it offers to run the suggestion, as oclif's
 * plugin-not-found does; that plugin prints no suggestion at all when stdin is not a terminal, which is where
 * scripts and CI meet typos.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  const {closestName} = await import('@tars-ts/core');
  const visible = opts.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases])
    .map((id) => id.replaceAll(':', ' '));
  // oclif joins every word it could not place into the id (`tars cal X f` -> "cal:X:f"): the command is the longest
  // leading part that is close to one; the words after it are its arguments.
  const words = opts.id.split(':');
  let typed = words[0]!;
  let suggestion: string | undefined;
  for (let n = words.length; n > 0 && suggestion === undefined; n--) {
    suggestion = closestName(words.slice(0, n).join(' '), visible);
    if (suggestion !== undefined) typed = words.slice(0, n).join(' ');
  }
  const topic = opts.config.findTopic(opts.id.split(':')[0]!);
  process.stderr.write(`error: "${typed}" is not a tars command${suggestion ? `; did you mean "${suggestion}"?` : ''}\n` +
    `hint: tars ${topic ? `${topic.name.replaceAll(':', ' ')} ` : ''}--help lists the commands\n`);
  if (suggestion && process.stdin.isTTY && process.stderr.isTTY && !process.env.CI) {
    const {confirm} = await import('@inquirer/prompts');
    if (await confirm({message: `Run "tars ${suggestion}"?`, default: true}).catch(() => false)) {
      // The rest of the typed words are the suggestion's arguments: `tars cal X f` -> `tars call X f`.
      const argv = [...words.slice(typed.split(' ').length), ...(opts.argv ?? [])];
      await opts.config.runCommand(suggestion.replaceAll(' ', ':'), argv);
      return;
    }
  }
  this.exit(2);
};

export default hook;
