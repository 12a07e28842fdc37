// Drives a running `qwen-edge serve` with the official openai npm client for log-probabilities:
// chat (logprobs, top_logprobs) whole and streamed, completions' legacy logprobs, and the 400s.
//   node openai_logprobs_check.js BASE_URL   (e.g. http://127.0.0.1:8080/v1)
// Exits 0 when every check holds; otherwise prints what failed and exits 1.
'use strict';
const { OpenAI } = require('openai');

function check(condition, what) {
    if (!condition) throw new Error('check failed: ' + what);
}

function checkEntry(e, top) {
    check(typeof e.token === 'string', 'a token text');
    check(typeof e.logprob === 'number' && e.logprob <= 0, 'a logprob <= 0');
    check(Array.isArray(e.bytes) && e.bytes.every((b) => b >= 0 && b < 256), 'bytes');
    check(Array.isArray(e.top_logprobs) && e.top_logprobs.length === top, top + ' top_logprobs');
    for (let i = 1; i < e.top_logprobs.length; ++i)
        check(e.top_logprobs[i - 1].logprob >= e.top_logprobs[i].logprob, 'top_logprobs best first');
}

async function main() {
    const client = new OpenAI({ baseURL: process.argv[2], apiKey: 'unused', maxRetries: 0, timeout: 120000 });
    const model = (await client.models.list()).data[0].id;
    const messages = [{ role: 'user', content: 'Hello! 你好' }];

    const whole = await client.chat.completions.create({
        model, messages, max_tokens: 6, logprobs: true, top_logprobs: 4, temperature: 0,
    });
    const content = whole.choices[0].logprobs.content;
    check(content.length === whole.usage.completion_tokens, 'one entry per token');
    content.forEach((e) => checkEntry(e, 4));

    const stream = await client.chat.completions.create({
        model, messages, max_tokens: 6, logprobs: true, top_logprobs: 4, temperature: 0, stream: true,
    });
    const streamed = [];
    for await (const chunk of stream)
        for (const choice of chunk.choices)
            if (choice.logprobs) streamed.push(...choice.logprobs.content);
    check(JSON.stringify(streamed) === JSON.stringify(content), 'the stream carries the same entries');

    const raw = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 4, logprobs: 2 });
    const lp = raw.choices[0].logprobs;
    check(lp.tokens.length === raw.usage.completion_tokens, 'legacy tokens');
    check(lp.token_logprobs.length === lp.tokens.length && lp.text_offset.length === lp.tokens.length, 'legacy columns');
    check(lp.top_logprobs.every((t) => Object.keys(t).length <= 2), 'legacy top_logprobs objects');

    let status = 0;
    try {
        await client.chat.completions.create({ model, messages, max_tokens: 2, logprobs: true, top_logprobs: 21 });
    } catch (e) {
        status = e.status;
        check(e.error && e.error.param === 'top_logprobs', 'the error names top_logprobs');
    }
    check(status === 400, 'top_logprobs 21 is refused with 400 (got ' + status + ')');

    console.log(JSON.stringify({ ok: true, model, tokens: content.length }));
}

main().catch((e) => {
    console.log('openai logprobs check: ' + (e && e.stack ? e.stack : e));
    process.exit(1);
});
