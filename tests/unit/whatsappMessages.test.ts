// Outbound message bodies: the shapes Meta documents, and its limits enforced before any call.
import { expect } from 'chai';
import fc from 'fast-check';
import { InvalidMessageError } from '../../server/whatsapp/errors';
import {
  interactiveButtons,
  interactiveList,
  LIMITS,
  mediaMessage,
  reactionMessage,
  templateMessage,
  textMessage,
} from '../../server/whatsapp/messages';

const TO = '+16505551234';

function refusal(fn: () => unknown): InvalidMessageError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidMessageError);
    return err as InvalidMessageError;
  }
  throw new Error('expected an InvalidMessageError');
}

describe('textMessage', () => {
  it('builds Meta\'s text body, with preview and reply context when asked', () => {
    expect(textMessage(TO, 'Hello')).to.deep.equal({ messaging_product: 'whatsapp', recipient_type: 'individual', to: TO, type: 'text', text: { body: 'Hello', preview_url: false } });
    expect(textMessage(TO, 'See https://example.com', { previewUrl: true, replyTo: 'wamid.abc' })).to.deep.equal({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: TO, type: 'text',
      context: { message_id: 'wamid.abc' }, text: { body: 'See https://example.com', preview_url: true },
    });
  });

  it('allows 4,096 characters and refuses 4,097, counting emoji as one character each', () => {
    expect(LIMITS.textBody).to.equal(4096);
    expect(textMessage(TO, 'a'.repeat(4096)).text.body).to.have.length(4096);
    const e = refusal(() => textMessage(TO, 'a'.repeat(4097)));
    expect(e).to.deep.include({ reason: 'too_long', field: 'text.body', limit: 4096 });
    expect(textMessage(TO, '😀'.repeat(4096)).text.body).to.have.length(8192);
    expect(refusal(() => textMessage(TO, '😀'.repeat(4097))).reason).to.equal('too_long');
  });

  it('refuses an empty or blank body, a bad recipient and an empty reply target', () => {
    expect(refusal(() => textMessage(TO, '')).reason).to.equal('empty');
    expect(refusal(() => textMessage(TO, '  \n ')).reason).to.equal('empty');
    for (const to of ['', 'abc', '+0123456789', '+1234567890123456', '16505551234; DROP']) {
      expect(refusal(() => textMessage(to, 'x')).field, to).to.equal('to');
    }
    expect(textMessage('16505551234', 'x').to).to.equal('16505551234');
    expect(refusal(() => textMessage(TO, 'x', { replyTo: ' ' })).field).to.equal('context.message_id');
  });
});

describe('mediaMessage', () => {
  it('sends by id or by link, with caption and filename where Meta allows them', () => {
    expect(mediaMessage(TO, 'image', { id: '1003383421387256', caption: 'Taj Mahal' })).to.deep.equal({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: TO, type: 'image', image: { id: '1003383421387256', caption: 'Taj Mahal' },
    });
    expect(mediaMessage(TO, 'document', { link: 'https://example.com/r.pdf', filename: 'receipt.pdf', replyTo: 'wamid.q' })).to.deep.equal({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: TO, type: 'document', context: { message_id: 'wamid.q' }, document: { link: 'https://example.com/r.pdf', filename: 'receipt.pdf' },
    });
    expect(mediaMessage(TO, 'audio', { id: '42' })).to.deep.include({ type: 'audio', audio: { id: '42' } });
    expect(mediaMessage(TO, 'sticker', { id: '43' })).to.deep.include({ type: 'sticker', sticker: { id: '43' } });
    expect(mediaMessage(TO, 'video', { id: '44', caption: '' })).to.deep.include({ video: { id: '44', caption: '' } });
  });

  it('needs exactly one of id and link, and an http(s) link', () => {
    expect(refusal(() => mediaMessage(TO, 'image', {})).reason).to.equal('invalid');
    expect(refusal(() => mediaMessage(TO, 'image', { id: '1', link: 'https://x.test/a.jpg' })).reason).to.equal('invalid');
    for (const link of ['ftp://x.test/a.jpg', 'file:///etc/passwd', 'javascript:alert(1)', 'https://', 'not a url']) {
      expect(refusal(() => mediaMessage(TO, 'image', { link })).field, link).to.equal('image.link');
    }
  });

  it('refuses captions on audio and stickers, filenames on anything but documents, captions over 1,024', () => {
    expect(refusal(() => mediaMessage(TO, 'audio', { id: '1', caption: 'x' })).reason).to.equal('not_allowed');
    expect(refusal(() => mediaMessage(TO, 'sticker', { id: '1', caption: 'x' })).reason).to.equal('not_allowed');
    expect(refusal(() => mediaMessage(TO, 'image', { id: '1', filename: 'a.jpg' })).reason).to.equal('not_allowed');
    expect(mediaMessage(TO, 'image', { id: '1', caption: 'c'.repeat(1024) })).to.have.property('image');
    expect(refusal(() => mediaMessage(TO, 'image', { id: '1', caption: 'c'.repeat(1025) }))).to.deep.include({ reason: 'too_long', field: 'image.caption', limit: 1024 });
  });
});

describe('templateMessage', () => {
  it('builds a template body with a deterministic language and its components', () => {
    const body = templateMessage(TO, 'order_update', 'en_US', [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/h.jpg' } }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Ada' }, { type: 'currency', currency: { fallback_value: '$100.99', code: 'USD', amount_1000: 100990 } }] },
      { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP' }] },
    ]);
    expect(body).to.deep.include({ type: 'template', to: TO });
    expect(body.template.name).to.equal('order_update');
    expect(body.template.language).to.deep.equal({ policy: 'deterministic', code: 'en_US' });
    expect(body.template.components).to.have.length(3);
    expect(templateMessage(TO, 'hello_world', 'en').template).to.deep.equal({ name: 'hello_world', language: { policy: 'deterministic', code: 'en' } });
  });

  it('refuses names Meta would refuse and malformed language codes or button indexes', () => {
    expect(refusal(() => templateMessage(TO, '', 'en')).reason).to.equal('empty');
    expect(refusal(() => templateMessage(TO, 'Order Update', 'en')).field).to.equal('template.name');
    expect(refusal(() => templateMessage(TO, 'ok', 'english')).field).to.equal('template.language.code');
    expect(refusal(() => templateMessage(TO, 'ok', 'en', [{ type: 'button', sub_type: 'url', index: 'first', parameters: [] }])).field).to.equal('template.components[0].index');
  });
});

describe('reactionMessage', () => {
  it('reacts to a wamid, and an empty emoji removes the reaction', () => {
    expect(reactionMessage(TO, 'wamid.x', '👍')).to.deep.equal({ messaging_product: 'whatsapp', recipient_type: 'individual', to: TO, type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '👍' } });
    expect(reactionMessage(TO, 'wamid.x', '').reaction.emoji).to.equal('');
    expect(reactionMessage(TO, 'wamid.x', '👩🏽‍💻').reaction.emoji).to.equal('👩🏽‍💻');
    expect(refusal(() => reactionMessage(TO, '', '👍')).field).to.equal('reaction.message_id');
    expect(refusal(() => reactionMessage(TO, 'wamid.x', 'this is not an emoji')).field).to.equal('reaction.emoji');
  });
});

describe('interactiveButtons', () => {
  const buttons = [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }, { id: 'later', title: 'Ask me later' }];

  it('builds up to 3 reply buttons with header, body and footer', () => {
    const body = interactiveButtons(TO, 'Confirm your appointment?', buttons, { header: 'Appointment', footer: 'Reply below', replyTo: 'wamid.p' });
    expect(body.context).to.deep.equal({ message_id: 'wamid.p' });
    expect(body.interactive).to.deep.equal({
      type: 'button',
      header: { type: 'text', text: 'Appointment' },
      body: { text: 'Confirm your appointment?' },
      footer: { text: 'Reply below' },
      action: { buttons: buttons.map((b) => ({ type: 'reply', reply: b })) },
    });
  });

  it('refuses a fourth button, no button, a 21-character title and repeated ids or titles', () => {
    expect(refusal(() => interactiveButtons(TO, 'x', [...buttons, { id: 'four', title: 'Four' }]))).to.deep.include({ reason: 'too_many', limit: 3 });
    expect(refusal(() => interactiveButtons(TO, 'x', [])).reason).to.equal('too_few');
    expect(interactiveButtons(TO, 'x', [{ id: 'a', title: 't'.repeat(20) }]).interactive.action).to.have.property('buttons');
    expect(refusal(() => interactiveButtons(TO, 'x', [{ id: 'a', title: 'ok' }, { id: 'b', title: 't'.repeat(21) }]))).to.deep.include({
      reason: 'too_long', field: 'interactive.action.buttons[1].reply.title', limit: 20,
    });
    expect(refusal(() => interactiveButtons(TO, 'x', [{ id: 'a', title: 'One' }, { id: 'a', title: 'Two' }]))).to.deep.include({ reason: 'duplicate', field: 'interactive.action.buttons[1].reply.id' });
    expect(refusal(() => interactiveButtons(TO, 'x', [{ id: 'a', title: 'Same' }, { id: 'b', title: 'Same' }])).reason).to.equal('duplicate');
    expect(refusal(() => interactiveButtons(TO, 'b'.repeat(1025), buttons)).field).to.equal('interactive.body.text');
    expect(refusal(() => interactiveButtons(TO, 'x', buttons, { footer: 'f'.repeat(61) })).field).to.equal('interactive.footer.text');
  });

  it('property: any accepted set of buttons respects every limit', () => {
    const button = fc.record({ id: fc.string({ minLength: 0, maxLength: 300 }), title: fc.string({ minLength: 0, maxLength: 30 }) });
    fc.assert(
      fc.property(fc.array(button, { maxLength: 5 }), (list) => {
        let body;
        try {
          body = interactiveButtons(TO, 'Pick one', list);
        } catch (err) {
          expect(err).to.be.instanceOf(InvalidMessageError);
          return;
        }
        const sent = (body.interactive.action as { buttons: Array<{ reply: { id: string; title: string } }> }).buttons;
        expect(sent.length).to.be.within(1, 3);
        for (const b of sent) {
          expect([...b.reply.title].length).to.be.within(1, 20);
          expect([...b.reply.id].length).to.be.within(1, 256);
        }
        expect(new Set(sent.map((b) => b.reply.id)).size).to.equal(sent.length);
      }),
    );
  });
});

describe('interactiveList', () => {
  it('builds a list of sections and refuses more than 10 rows or a 25-character row title', () => {
    const body = interactiveList(TO, 'Choose a shipping option', 'Shipping', [
      { title: 'Fast', rows: [{ id: 'express', title: 'Priority Mail Express', description: 'Next Day to 2 Days' }] },
      { title: 'Cheap', rows: [{ id: 'ground', title: 'Ground' }] },
    ]);
    expect(body.interactive.type).to.equal('list');
    expect(body.interactive.action).to.deep.include({ button: 'Shipping' });
    const rows = Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` }));
    expect(refusal(() => interactiveList(TO, 'x', 'Pick', [{ rows }])).reason).to.equal('too_many');
    expect(refusal(() => interactiveList(TO, 'x', 'Pick', [{ rows: [{ id: 'a', title: 'r'.repeat(25) }] }])).field).to.equal('interactive.action.sections[0].rows[0].title');
    expect(refusal(() => interactiveList(TO, 'x', 'Pick', [{ rows: [{ id: 'a', title: 'A' }] }, { title: 'B', rows: [{ id: 'b', title: 'B' }] }])).field).to.equal('interactive.action.sections[0].title');
    expect(refusal(() => interactiveList(TO, 'x', 'Pick', [{ title: 'A', rows: [{ id: 'a', title: 'A' }] }, { title: 'B', rows: [{ id: 'a', title: 'B' }] }])).field).to.equal('interactive.action.sections[1].rows[0].id');
  });
});
