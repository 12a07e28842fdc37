// The assistant as a small HTTP service:
//   POST /ask {"message": "Where is my order A1001?"}  ->  {"intent", "confidence", "reply",
//                                                          "handed_over", "tool_calls"}
// Settings from the environment: QE_BASE_URL (qwen-edge's API, default http://127.0.0.1:8080/v1),
// PORT (default 3000), HAND_OVER_BELOW (default 0.5).
'use strict';
const http = require('node:http');
const { OpenAI } = require('openai');
const { Assistant } = require('./assistant');

const MAX_BODY = 64 * 1024;

function send(res, status, body) {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
}

async function main() {
    const baseURL = process.env.QE_BASE_URL || 'http://127.0.0.1:8080/v1';
    const client = new OpenAI({ baseURL, apiKey: process.env.OPENAI_API_KEY || 'unused' });
    const model = (await client.models.list()).data[0].id;
    const assistant = new Assistant(client, {
        model,
        handOverBelow: Number(process.env.HAND_OVER_BELOW || 0.5),
        onHandOver: (message, decision) => console.log('hand-over:', JSON.stringify({ message, decision })),
    });

    const server = http.createServer((req, res) => {
        if (req.method !== 'POST' || req.url !== '/ask') return send(res, 404, { error: 'POST /ask' });
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk) => {
            body += chunk;
            if (body.length > MAX_BODY) req.destroy();
        });
        req.on('end', async () => {
            let message;
            try {
                message = JSON.parse(body).message;
            } catch (e) {
                return send(res, 400, { error: 'the body must be JSON: {"message": "..."}' });
            }
            if (typeof message !== 'string' || !message.trim())
                return send(res, 400, { error: '"message" must be a non-empty string' });
            try {
                send(res, 200, await assistant.handle(message));
            } catch (e) {
                send(res, 502, { error: 'the model server failed: ' + e.message });
            }
        });
    });
    const port = Number(process.env.PORT || 3000);
    server.listen(port, '127.0.0.1', () => console.log(`customer service on http://127.0.0.1:${port}/ask (model ${model} at ${baseURL})`));
}

main().catch((e) => {
    console.error(e.message);
    process.exit(1);
});
