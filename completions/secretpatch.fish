complete -c secretpatch -l format -d 'Report format on standard output' -r -f -a "text\t'`PATH:LINE:COL: VERDICT: message (REASON)` lines for `--check`, a diff for `--dry-run`'
json\t'One JSON document (see the README); diffs are included as strings'
sarif\t'SARIF 2.1.0, as GitHub code scanning takes it'
github\t'GitHub Actions workflow commands (`::error file=…,line=…::…`)'"
complete -c secretpatch -l name -d 'The variable holding the key (repeat for several; default SECRET_KEY)' -r
complete -c secretpatch -l length -d 'Length of a new key (at least 50, Django\'s minimum; default 64)' -r
complete -c secretpatch -l alphabet -d 'Characters of a new key: alnum (default) is A-Z a-z 0-9 (safe unquoted in shells, .env, ConfigParser and YAML); django is the alphabet of Django\'s get_random_secret_key(); hex is 0-9 a-f' -r -f -a "alnum\t'A-Z a-z 0-9: safe unquoted in shells, `.env` files, ConfigParser and YAML'
django\t'The alphabet of Django\'s `get_random_secret_key()`'
hex\t'0-9 a-f'"
complete -c secretpatch -l include -d 'When walking directories, look only at files matching this glob (repeatable; default *.py)' -r
complete -c secretpatch -l exclude -d 'When walking directories, leave out files and directories matching this glob (repeatable)' -r
complete -c secretpatch -s j -l threads -d 'Threads for walking directories (default: one per core)' -r
complete -c secretpatch -l config -d 'Read settings from this pyproject.toml instead of the nearest one' -r -F
complete -c secretpatch -l color -d 'When to color the diff (NO_COLOR turns auto off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c secretpatch -l lock-timeout -d 'Seconds to wait for another run that holds a file\'s lock' -r
complete -c secretpatch -l max-size -d 'Refuse files larger than this many bytes (suffixes K, M, G allowed)' -r
complete -c secretpatch -l store -d 'Keep the key in this file (created once, mode 0600, no newline) and rewrite weak key statements to read it. With no PATH, only makes sure the store exists and is sound' -r -F
complete -c secretpatch -l owner -d 'Owner of a new key store, as USER or USER:GROUP (names or numbers)' -r
complete -c secretpatch -l from-env -d 'Rewrite weak key statements to read the environment variable VAR (os.environ["VAR"]), adding `import os` if needed' -r
complete -c secretpatch -l backup -d 'Keep the previous file as PATH plus SUFFIX (default .bak)' -r
complete -c secretpatch -l validate -d 'Run CMD on the new content before it replaces the old (%s is the new file\'s path); if it fails, nothing is replaced and the exit status is 2' -r
complete -c secretpatch -l generate -d 'Print the man page (man) or a shell completion script (bash, zsh, fish), and exit' -r -f -a "man\t''
bash\t''
zsh\t''
fish\t''"
complete -c secretpatch -l stdin-filename -d 'The name standard input goes by in messages' -r
complete -c secretpatch -l dry-run -l diff -d 'Write nothing; print a unified diff of what would change. Exit 1 if anything would'
complete -c secretpatch -l check -d 'Write nothing; print one line per finding. Exit 1 if any is insecure, missing, ephemeral or (with --strict) hard-coded'
complete -c secretpatch -s q -l quiet -d 'Print only errors and failing findings'
complete -c secretpatch -l strict -d 'Report every hard-coded literal key, even a strong one: a key committed to a repository is a leaked key'
complete -c secretpatch -l no-missing -d 'Files named on the command line that define no key are not findings (for pre-commit, which names every changed file)'
complete -c secretpatch -l no-ignore -d 'Do not honour .gitignore, .ignore and similar files'
complete -c secretpatch -l hidden -d 'Walk hidden files and directories too'
complete -c secretpatch -l no-config -d 'Ignore [tool.secretpatch] in pyproject.toml'
complete -c secretpatch -l show-secrets -d 'Print secret values whole in diffs and reports instead of masking them'
complete -c secretpatch -l split-hard-links -d 'Replace a file that has other hard links, leaving them with the old content (otherwise such a file is refused)'
complete -c secretpatch -l rotate -d 'Replace keys even when they are strong (first boot of a cloned image, or after a leak)'
complete -c secretpatch -l keep-fallback -d 'With --rotate, move the old key into SECRET_KEY_FALLBACKS so that signed sessions and tokens survive (Django 4.1+)'
complete -c secretpatch -s h -l help -d 'Print help (see more with \'--help\')'
complete -c secretpatch -s V -l version -d 'Print version'
