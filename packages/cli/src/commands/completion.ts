/** sbay completion bash|zsh: a script to source that completes commands, options and paths. */
import type { Command } from '../command.js';
import { GLOBAL_OPTIONS } from '../command.js';
import { UsageError } from '../exit-codes.js';

function optionsOf(cmd: Command): string {
  return Object.keys({ ...GLOBAL_OPTIONS, ...cmd.options })
    .map((o) => `--${o}`)
    .join(' ');
}

export function bashScript(cmds: Command[]): string {
  const cases = cmds.map((c) => `    ${c.name}) opts="${optionsOf(c)}" ;;`).join('\n');
  return `# sbay completion for bash: eval "$(sbay completion bash)"
_sbay() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="\${COMP_WORDS[1]}" opts=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${cmds.map((c) => c.name).join(' ')} --help --version" -- "$cur") )
    return
  fi
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o filenames -F _sbay sbay
`;
}

export function zshScript(cmds: Command[]): string {
  const list = cmds.map((c) => `    '${c.name}:${c.summary.split('.')[0]!.replace(/'/g, '')}'`).join('\n');
  const cases = cmds
    .map(
      (c) =>
        `    ${c.name}) _arguments '*:file:_files' ${Object.keys({ ...GLOBAL_OPTIONS, ...c.options })
          .map((o) => `'--${o}'`)
          .join(' ')} ;;`,
    )
    .join('\n');
  return `#compdef sbay
# sbay completion for zsh: eval "$(sbay completion zsh)" (after compinit)
_sbay() {
  local -a commands
  commands=(
${list}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "\${words[2]}" in
${cases}
  esac
}
compdef _sbay sbay
`;
}

export function completion(all: () => Command[]): Command {
  const cmd: Command = {
    name: 'completion',
    summary: 'Print a shell completion script: eval "$(sbay completion bash)" in ~/.bashrc, or zsh in ~/.zshrc.',
    usage: 'sbay completion bash|zsh',
    help: '',
    options: {},
    async run(ctx, _v, args) {
      const shell = args[0];
      if (shell === 'bash') ctx.io.stdout.write(bashScript(all()));
      else if (shell === 'zsh') ctx.io.stdout.write(zshScript(all()));
      else throw new UsageError('give the shell: sbay completion bash, or sbay completion zsh');
    },
  };
  return cmd;
}
