// Drives a running `qwen-edge serve` with the official openai npm client through forced tool
// calls: tool_choice "required" and a named function, streamed and not. The model of the test
// answers noise, so every call here is the constraint's doing: each must name a tool it may call
// and carry arguments that keep to that tool's schema; the result then goes back as role "tool".
//   node openai_forced_tools_check.js BASE_URL   (e.g. http://127.0.0.1:8080/v1)
// Exits 0 when every check holds; otherwise prints what failed and exits 1.
'use strict';
const { OpenAI } = require('openai');

function check(condition, what) {
    if (!condition) throw new Error('check failed: ' + what);
}

const tools = [
    {
        type: 'function',
        function: {
            name: 'get_weather',
            parameters: {
                type: 'object',
                properties: {
                    city: { type: 'string', maxLength: 12 },
                    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
                },
                required: ['city', 'unit'],
                additionalProperties: false,
            },
        },
    },
    {
        type: 'function',
        function: {
            name: 'order_status',
            parameters: {
                type: 'object',
                properties: { order_id: { type: 'integer', minimum: 1, maximum: 99999 } },
                required: ['order_id'],
            },
        },
    },
];

// The arguments keep to the tool's schema (the parts these tools use).
function checkCall(call, names) {
    check(typeof call.id === 'string' && call.id.startsWith('call_'), 'a call id');
    check(names.includes(call.function.name), 'a tool that may be called: ' + call.function.name);
    const args = JSON.parse(call.function.arguments);
    if (call.function.name === 'get_weather') {
        check(typeof args.city === 'string' && [...args.city].length <= 12, 'city: ' + args.city);
        check(['celsius', 'fahrenheit'].includes(args.unit), 'unit: ' + args.unit);
        check(Object.keys(args).every((k) => k === 'city' || k === 'unit'), 'no other arguments');
    } else {
        check(Number.isInteger(args.order_id) && args.order_id >= 1 && args.order_id <= 99999,
            'order_id: ' + args.order_id);
    }
}

async function main() {
    const client = new OpenAI({ baseURL: process.argv[2], apiKey: 'unused', maxRetries: 0, timeout: 120000 });
    const model = (await client.models.list()).data[0].id;
    const messages = [{ role: 'user', content: '我的订单 123 到哪里了？' }];

    for (let seed = 0; seed < 3; ++seed) {
        // A named function: exactly one call of it.
        const named = await client.chat.completions.create({
            model, messages, tools, seed, temperature: 1, max_tokens: 120,
            tool_choice: { type: 'function', function: { name: 'order_status' } },
        });
        const choice = named.choices[0];
        check(choice.finish_reason === 'tool_calls', 'finish_reason tool_calls (got ' + choice.finish_reason + ')');
        check(choice.message.tool_calls.length === 1, 'one call');
        checkCall(choice.message.tool_calls[0], ['order_status']);

        // Required, one call: either tool.
        const required = await client.chat.completions.create({
            model, messages, tools, seed, temperature: 1, max_tokens: 120,
            tool_choice: 'required', parallel_tool_calls: false,
        });
        check(required.choices[0].finish_reason === 'tool_calls', 'required: finish_reason tool_calls');
        check(required.choices[0].message.tool_calls.length === 1, 'required: one call');
        checkCall(required.choices[0].message.tool_calls[0], ['get_weather', 'order_status']);
    }

    // Streamed: the call arrives in tool_calls deltas.
    const stream = await client.chat.completions.create({
        model, messages, tools, seed: 5, temperature: 1, max_tokens: 120, stream: true,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const call = { id: '', function: { name: '', arguments: '' } };
    let finish = null;
    for await (const chunk of stream) {
        const c = chunk.choices[0];
        if (!c) continue;
        if (c.finish_reason) finish = c.finish_reason;
        for (const d of c.delta.tool_calls || []) {
            if (d.id) call.id = d.id;
            if (d.function && d.function.name) call.function.name += d.function.name;
            if (d.function && d.function.arguments) call.function.arguments += d.function.arguments;
        }
    }
    check(finish === 'tool_calls', 'streamed: finish_reason tool_calls (got ' + finish + ')');
    checkCall(call, ['get_weather']);

    // The result goes back as role "tool"; the next answer may be anything (auto).
    const first = await client.chat.completions.create({
        model, messages, tools, seed: 1, max_tokens: 120,
        tool_choice: { type: 'function', function: { name: 'order_status' } },
    });
    const next = await client.chat.completions.create({
        model, tools, max_tokens: 8,
        messages: [...messages, first.choices[0].message,
            { role: 'tool', tool_call_id: first.choices[0].message.tool_calls[0].id, content: '{"status":"shipped"}' }],
    });
    check(next.choices[0].message.role === 'assistant', 'an answer after the tool result');
    console.log(JSON.stringify({ ok: true, model }));
}

main().catch((e) => {
    console.log('openai forced tools check: ' + (e && e.stack ? e.stack : e));
    process.exit(1);
});
