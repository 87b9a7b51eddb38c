# SPDX-License-Identifier: GPL-2.0-or-later
# Bash completion for flankctl and flank-elf: commands, options and image
# files (*.elf). The commands and options are read from the tool's own
# --help (docs/flankctl.8.md, docs/flank-elf.1.md), so that this file never
# lists them again. Installed as
# /usr/share/bash-completion/completions/{flankctl,flank-elf}.

# Words of the tool's --help synopsis: the commands ("Usage: TOOL CMD ...").
_flank_commands()
{
	"$1" --help 2>/dev/null |
		awk '!NF { exit } { sub(/^Usage:/, ""); if ($2 !~ /^-/) print $2 }'
}

# The options of command $2 of tool $1 (from the first line of its --help).
_flank_options()
{
	"$1" "$2" --help 2>/dev/null | head -n 1 | grep -o -- '\[--[a-z-]*' |
		tr -d '['
	echo --help
}

# COMPREPLY: the *.elf files and the directories that start with $1.
_flank_elf_files()
{
	local IFS=$'\n'

	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen -d -- "$1") $(compgen -f -X '!*.elf' -- "$1"))
}

_flank_complete()
{
	local tool=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD - 1]} cmd="" i

	COMPREPLY=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} != -* ]]; then
			cmd=${COMP_WORDS[i]}
			break
		fi
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_flank_commands "$tool")" \
				-- "$cur"))
		fi
		return 0
	fi
	case $prev in
	--interval | --count)
		return 0 # a number: nothing to offer
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_flank_options "$tool" "$cmd")" \
			-- "$cur"))
		return 0
	fi
	case $cmd in
	load | inspect | verify)
		_flank_elf_files "$cur"
		;;
	help)
		COMPREPLY=($(compgen -W "$(_flank_commands "$tool")" -- "$cur"))
		;;
	esac
	return 0
}

complete -F _flank_complete flankctl flank-elf
