// Drives a running `qwen-edge serve` with the official openai npm client through the tool-call
// round trip: tools and their results go back to the model; tool_choice and the tool errors.
// The model of the test answers noise, so whether it calls a tool is not checked, only that
// every answer has OpenAI's shape.
//   node openai_tools_check.js BASE_URL   (e.g. http://127.0.0.1:8080/v1)
// Exits 0 when every check holds; otherwise prints what failed and exits 1.
'use strict';
const { OpenAI } = require('openai');

function check(condition, what) {
    if (!condition) throw new Error('check failed: ' + what);
}

const tools = [{
    type: 'function',
    function: {
        name: 'get_weather',
        description: "Today's weather in a city",
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
}];

function checkMessage(message) {
    check(message.role === 'assistant', 'an assistant message');
    check(typeof message.content === 'string' || message.content === null, 'content is text or null');
    for (const call of message.tool_calls || []) {
        check(typeof call.id === 'string' && call.id.startsWith('call_'), 'a call id');
        check(call.type === 'function', 'a function call');
        check(typeof call.function.name === 'string', 'a function name');
        check(typeof call.function.arguments === 'string', 'arguments as a JSON string');
    }
}

async function status400(request, param) {
    try {
        await request;
    } catch (e) {
        check(e.status === 400, 'a 400 for ' + param + ' (got ' + e.status + ')');
        check(e.error && e.error.param === param, 'the error names ' + param + ' (got ' + JSON.stringify(e.error) + ')');
        return;
    }
    check(false, 'refused: ' + param);
}

async function main() {
    const client = new OpenAI({ baseURL: process.argv[2], apiKey: 'unused', maxRetries: 0, timeout: 120000 });
    const model = (await client.models.list()).data[0].id;

    // Round one: the model may call the tool.
    const messages = [{ role: 'user', content: "What's the weather in 北京?" }];
    const first = await client.chat.completions.create({ model, messages, tools, tool_choice: 'auto', max_tokens: 8 });
    checkMessage(first.choices[0].message);
    check(['stop', 'length', 'tool_calls'].includes(first.choices[0].finish_reason), 'finish_reason');

    // Round two, as an application sends it after running the call.
    const second = await client.chat.completions.create({
        model, tools, max_tokens: 8, parallel_tool_calls: false,
        messages: [
            ...messages,
            {
                role: 'assistant', content: null,
                tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }],
            },
            { role: 'tool', tool_call_id: 'call_1', content: '晴, 25°C' },
        ],
    });
    checkMessage(second.choices[0].message);
    check(second.usage.prompt_tokens > first.usage.prompt_tokens, 'the call and its result reach the prompt');

    // tool_choice none, streamed: text only.
    const stream = await client.chat.completions.create({
        model, messages, tools, tool_choice: 'none', max_tokens: 8, stream: true,
    });
    let finish = null;
    for await (const chunk of stream) {
        for (const choice of chunk.choices) {
            check(choice.delta.tool_calls === undefined, 'no tool_calls chunk under tool_choice none');
            if (choice.finish_reason) finish = choice.finish_reason;
        }
    }
    check(finish === 'stop' || finish === 'length', 'a text finish_reason under tool_choice none');

    await status400(client.chat.completions.create({
        model, messages, tools, max_tokens: 2,
        tool_choice: { type: 'function', function: { name: 'get_time' } },
    }), 'tool_choice.function.name');
    await status400(client.chat.completions.create({
        model, messages, max_tokens: 2,
        tools: [{ type: 'function', function: { name: 'f', parameters: 'city' } }],
    }), 'tools[0].function.parameters');
    await status400(client.chat.completions.create({ model, messages, tool_choice: 'required', max_tokens: 2 }),
        'tool_choice');

    console.log(JSON.stringify({ ok: true, model, first_finish: first.choices[0].finish_reason }));
}

main().catch((e) => {
    console.log('openai tools check: ' + (e && e.stack ? e.stack : e));
    process.exit(1);
});
