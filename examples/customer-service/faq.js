// The shop's frequently asked questions: what the assistant answers from (put in its prompt).
'use strict';

const FAQ = [
    ['How long does delivery take?', 'Orders ship within one working day; delivery takes 2-4 working days.'],
    ['Can I return an item?', 'Yes, within 30 days of delivery, unused and in its box. Returns are free.'],
    ['Which payment methods do you accept?', 'Credit and debit cards, PayPal, Alipay and WeChat Pay.'],
    ['Do you ship abroad?', 'We ship to the EU, the UK, China and the US.'],
    ['How do I reach a person?', 'Ask for one here, or call +1 555 0100 on working days, 9:00-17:00.'],
];

// The FAQ as text for a system prompt.
function faqText() {
    return FAQ.map(([q, a]) => `Q: ${q}\nA: ${a}`).join('\n\n');
}

module.exports = { FAQ, faqText };
