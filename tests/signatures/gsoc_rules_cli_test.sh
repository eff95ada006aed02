#!/usr/bin/env bash
# gsoc-rules end to end: exit codes, the JSON report's fields, errors with file:line:column,
# bundle compile and load. Usage: gsoc_rules_cli_test.sh GSOC_RULES SOURCE_DIR SHARED_DIR
set -euo pipefail
tool=$1
src=$2
shared=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GSOC_CACHE_DIR="$work/cache"
failures=0
passes=0
check() {  # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then
    passes=$((passes + 1))
  else
    echo "FAIL: $name"
    failures=$((failures + 1))
  fi
}
json_field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {'d': d}))" "$1" "$2"; }

# 1. The bundled default ruleset loads completely, with its indicator lists.
"$tool" check --json --strict -c "$src/signatures/rules/default/rules.yaml" > "$work/default.json"
check "default ruleset fully loaded" test "$(json_field "$work/default.json" "d['rules_rejected']")" = 0
check "default ruleset has rules" test "$(json_field "$work/default.json" "d['rules_loaded'] > 15")" = True
check "default indicators loaded" test "$(json_field "$work/default.json" "d['indicators']")" = 8
check "json has by_reason and errors" test "$(json_field "$work/default.json" "sorted(k for k in d if k in ('by_reason','errors','rules_total'))")" = "['by_reason', 'errors', 'rules_total']"

# 2. A malformed rule is reported with file, line and column; the rest loads.
cat > "$work/mixed.rules" <<'RULES'
alert tcp any any -> any any (msg:"good"; content:"a"; sid:1;)
alert tcp any any -> any any (msg:"bad"; content:"|zz|"; sid:2;)
alert tcp any any -> any any (msg:"good too"; content:"b"; sid:3;)
RULES
set +e
"$tool" check "$work/mixed.rules" > "$work/mixed.txt"
rc_plain=$?
"$tool" check --strict --json "$work/mixed.rules" > "$work/mixed.json"
rc_strict=$?
set -e
check "non-strict exit 0 with a rejected rule" test "$rc_plain" = 0
check "strict exit 1 with a rejected rule" test "$rc_strict" = 1
check "text names file:line:column" grep -q "mixed.rules:2:51: sid 2: content: invalid hex digit 'z'" "$work/mixed.txt"
check "json counts" test "$(json_field "$work/mixed.json" "(d['rules_total'], d['rules_loaded'], d['rules_rejected'])")" = "(3, 2, 1)"
check "json error location" test "$(json_field "$work/mixed.json" "(d['errors'][0]['line'], d['errors'][0]['column'], d['errors'][0]['sid'])")" = "(2, 51, 2)"
check "json by_reason" test "$(json_field "$work/mixed.json" "d['by_reason']")" = "{'bad content': 1}"

# 3. Second run comes from the cache.
"$tool" check --json "$work/mixed.rules" > "$work/cached.json"
check "second compile is a cache hit" test "$(json_field "$work/cached.json" "d['compile']['cache_hit']")" = True

# 4. Bundle compile and info.
"$tool" compile -q -o "$work/default.gsocbundle" --version-label test-1 -c "$src/signatures/rules/default/rules.yaml" > /dev/null
check "bundle written" test -s "$work/default.gsocbundle"
"$tool" info --json "$work/default.gsocbundle" > "$work/info.json"
check "bundle loads with its databases" test "$(json_field "$work/info.json" "(d['version'], d['compile']['cache_hit'], d['rules_rejected'])")" = "('test-1', True, 0)"

# 5. Usage and configuration errors exit 2 with a clear message.
set +e
"$tool" check --bogus "$work/mixed.rules" 2> "$work/usage.err"
rc_usage=$?
printf 'rule_files: [x.rules]\nrule_filez: []\n' > "$work/bad.yaml"
"$tool" check -c "$work/bad.yaml" 2> "$work/config.err"
rc_config=$?
"$tool" info "$work/mixed.rules" 2> "$work/info.err"
rc_info=$?
set -e
check "unknown option exits 2" test "$rc_usage" = 2
check "bad config exits 2" test "$rc_config" = 2
check "bad config names the key" grep -q "bad.yaml:2:1: key 'rule_filez': unknown key" "$work/config.err"
check "not a bundle exits 2" test "$rc_info" = 2
"$tool" --help | grep -q "gsoc-rules compile -o BUNDLE" && passes=$((passes + 1)) || { echo "FAIL: --help"; failures=$((failures + 1)); }

# 6. ET Open, when the shared data is present: at least 99% load.
if [ -d "$shared/rules/et-open" ]; then
  "$tool" check --json -q "$shared/rules/et-open" > "$work/et.json"
  check "ET Open >= 99% loaded" test "$(json_field "$work/et.json" "d['rules_loaded'] * 100 >= 99 * d['rules_total']")" = True
fi

echo "gsoc-rules cli: $passes passed, $failures failed"
test "$failures" = 0
