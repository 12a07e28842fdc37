#!/usr/bin/env bash
# Recall@1 and recall@5 of the knowledge base's search over the test set (tests/data/knowledge:
# 35 documents of an imaginary company, one question per line of questions.jsonl with the file
# that answers it and a snippet of the answering passage), through the `qwen-edge kb` commands,
# with the embedding model and reranker a user has:
#   scripts/knowledge-recall.sh [--embedding-model FILE] [--rerank-model FILE] [--binary FILE]
#                               [--questions N]   (only the first N questions: a quick check)
# Without models it measures keyword search (knowledge_recall_test holds that one in CI). A
# question counts as answered at k when one of the first k passages comes from its file and holds
# its snippet. The base lives in a temporary data folder, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=build/bin/qwen-edge
embedding=()
rerank=()
limit=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --embedding-model) embedding=(--embedding-model "$2"); shift 2 ;;
        --rerank-model) rerank=(--rerank-model "$2"); shift 2 ;;
        --binary) binary=$2; shift 2 ;;
        --questions) limit=$2; shift 2 ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "knowledge-recall: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[[ -x $binary ]] || { echo "knowledge-recall: no program at $binary (build it, or give --binary)" >&2; exit 2; }

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
"$binary" kb create recall --data-dir "$data" >/dev/null
# The import's progress lines only when it fails; its summary line always.
if ! "$binary" kb add recall tests/data/knowledge/docs --data-dir "$data" ${embedding[@]+"${embedding[@]}"} \
        2>"$data/add.log"; then
    cat "$data/add.log" >&2
    exit 1
fi
tail -n 1 "$data/add.log"

python3 - "$binary" "$data" tests/data/knowledge/questions.jsonl "$limit" ${embedding[@]+"${embedding[@]}"} \
    ${rerank[@]+"${rerank[@]}"} <<'PY'
import json, os, subprocess, sys

binary, data, questions_file, limit, models = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
questions = [json.loads(line) for line in open(questions_file, encoding="utf-8") if line.strip()]
if limit > 0:
    questions = questions[:limit]
at1 = at5 = 0
misses = []
for q in questions:
    run = subprocess.run([binary, "kb", "search", "recall", q["question"], "--json", "-k", "5",
                          "--data-dir", data, *models], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f'knowledge-recall: kb search failed for "{q["question"]}":\n{run.stderr}')
    out = run.stdout
    hits = [json.loads(line) for line in out.splitlines() if line.strip()]
    found = [os.path.basename(h["file"]) == q["file"] and q["snippet"] in h["text"] for h in hits]
    at1 += any(found[:1])
    at5 += any(found[:5])
    if not any(found[:5]):
        misses.append(f'  "{q["question"]}" -> {q["file"]}')
n = len(questions)
if misses:
    print("not in the first five:\n" + "\n".join(misses))
mode = "vectors" if "--embedding-model" in models else "keyword"
if "--rerank-model" in models:
    mode += " + reranker"
print(f"{mode}: {n} questions, recall@1 {at1 / n:.3f}, recall@5 {at5 / n:.3f}")
PY
