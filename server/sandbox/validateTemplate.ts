import { metaError } from './errors';
import { placeholders, type TemplateRecord, type TemplateStore } from './templates';
import { at, onlyKeys, requireArray, requireObject, requireString, type Obj } from './validateCommon';

const PARAM_TYPES = ['text', 'currency', 'date_time', 'image', 'video', 'document', 'location', 'payload', 'action', 'coupon_code'];
const MEDIA_FORMATS = ['IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'];

/**
 * Checks a template send as Meta does: the template must exist in that language and be APPROVED
 * (132001 otherwise, 132015 paused, 132016 disabled), and each component must carry as many
 * parameters as its text has variables (132000), of the right kind (132012).
 */
export function validateTemplateSend(template: Obj, wabaId: string, store: TemplateStore): TemplateRecord {
  onlyKeys(template, ['name', 'language', 'components', 'namespace'], 'template');
  const name = requireString(template.name, at('template', 'name'));
  const language = requireObject(template.language, at('template', 'language'));
  onlyKeys(language, ['code', 'policy'], at('template', 'language'));
  const code = requireString(language.code, at(at('template', 'language'), 'code'));
  if (language.policy !== undefined && language.policy !== 'deterministic') {
    throw metaError(100, "Param template['language']['policy'] must be one of {DETERMINISTIC}.");
  }
  const record = store.find(wabaId, name, code);
  if (!record) {
    throw metaError(132001, `template name (${name}) does not exist in ${code}`);
  }
  if (record.status === 'PAUSED') {
    throw metaError(132015, `Template ${name} is paused.`);
  }
  if (record.status === 'DISABLED') {
    throw metaError(132016, `Template ${name} is disabled.`);
  }
  if (record.status !== 'APPROVED') {
    throw metaError(132001, `template name (${name}) does not exist in ${code} (status ${record.status}; only APPROVED templates can be sent)`);
  }
  const given = template.components === undefined ? [] : requireArray(template.components, at('template', 'components'), 0, 20);
  const byType = new Map<string, Obj>();
  const buttons: Obj[] = [];
  given.forEach((raw, i) => {
    const c = requireObject(raw, at(at('template', 'components'), i));
    const type = requireString(c.type, at(at(at('template', 'components'), i), 'type')).toLowerCase();
    if (type === 'button') {
      buttons.push(c);
    } else if (['header', 'body', 'footer', 'carousel', 'limited_time_offer'].includes(type)) {
      byType.set(type, c);
    } else {
      throw metaError(100, `Param template['components'][${i}]['type'] must be one of {HEADER, BODY, BUTTON} - got "${String(c.type)}".`);
    }
  });
  checkTextComponent(record, 'BODY', byType.get('body'));
  checkHeader(record, byType.get('header'));
  checkButtons(record, buttons);
  return record;
}

function templateComponent(record: TemplateRecord, type: string): Obj | undefined {
  return record.components.find((c) => typeof c.type === 'string' && c.type.toUpperCase() === type);
}

function parametersOf(component: Obj | undefined, path: string): Obj[] {
  if (!component || component.parameters === undefined) {
    return [];
  }
  return requireArray(component.parameters, at(path, 'parameters'), 0, 100).map((p, i) => {
    const param = requireObject(p, at(at(path, 'parameters'), i));
    const type = requireString(param.type, at(at(at(path, 'parameters'), i), 'type'));
    if (!PARAM_TYPES.includes(type)) {
      throw metaError(100, `Param ${at(at(at(path, 'parameters'), i), 'type')} is not a valid parameter type: "${type}".`);
    }
    checkParameterValue(param, type);
    return param;
  });
}

function checkParameterValue(param: Obj, type: string): void {
  const value = param[type];
  if (type === 'text' && (typeof value !== 'string' || value.trim() === '')) {
    throw metaError(131008, 'Parameter of type text is missing text value.');
  }
  if (type === 'currency') {
    const currency = requireObject(value, 'currency');
    requireString(currency.fallback_value, "currency['fallback_value']");
    requireString(currency.code, "currency['code']", 3, 3);
    if (!Number.isInteger(currency.amount_1000)) {
      throw metaError(131008, "The parameter currency['amount_1000'] is required.");
    }
  }
  if (type === 'date_time') {
    requireString(requireObject(value, 'date_time').fallback_value, "date_time['fallback_value']");
  }
  if (['image', 'video', 'document'].includes(type)) {
    const media = requireObject(value, type);
    if (typeof media.id !== 'string' && typeof media.link !== 'string') {
      throw metaError(131008, `The parameter ${type}['id'] or ${type}['link'] is required.`);
    }
  }
}

/** BODY (and a TEXT header): one parameter per variable, named ones matching for NAMED templates. */
function checkTextComponent(record: TemplateRecord, type: 'BODY' | 'HEADER', sent: Obj | undefined): void {
  const names = placeholders(templateComponent(record, type)?.text);
  const params = parametersOf(sent, type.toLowerCase());
  if (params.length !== names.length) {
    throw metaError(
      132000,
      `${type.toLowerCase()}: number of localizable_params (${params.length}) does not match the expected number of params (${names.length})`,
    );
  }
  if (record.parameterFormat === 'NAMED') {
    const givenNames = params.map((p) => p.parameter_name);
    if (names.some((n) => !givenNames.includes(n))) {
      throw metaError(132000, `${type.toLowerCase()}: named parameters must be ${names.join(', ')}; got ${givenNames.join(', ')}`);
    }
  }
}

function checkHeader(record: TemplateRecord, sent: Obj | undefined): void {
  const header = templateComponent(record, 'HEADER');
  const format = typeof header?.format === 'string' ? header.format.toUpperCase() : 'TEXT';
  if (!header || !MEDIA_FORMATS.includes(format)) {
    checkTextComponent(record, 'HEADER', sent);
    return;
  }
  const params = parametersOf(sent, 'header');
  if (params.length !== 1 || String(params[0]!.type).toUpperCase() !== format) {
    const received = params[0] ? String(params[0].type).toUpperCase() : 'UNKNOWN';
    throw metaError(132012, `header: Format mismatch, expected ${format}, received ${received}`);
  }
}

/** Button parameters must point at a template button of the same kind; URL buttons with a variable need one. */
function checkButtons(record: TemplateRecord, sent: Obj[]): void {
  const defined = (templateComponent(record, 'BUTTONS')?.buttons ?? []) as Obj[];
  const covered = new Set<number>();
  for (const b of sent) {
    const index = Number(b.index);
    const target = defined[index];
    if (!Number.isInteger(index) || !target) {
      throw metaError(131009, `Param template['components'][]['index'] does not name a button of ${record.name}: ${String(b.index)}.`);
    }
    const subType = requireString(b.sub_type, "template['components'][]['sub_type']").toUpperCase();
    if (subType !== String(target.type).toUpperCase()) {
      throw metaError(131009, `Button ${index} of ${record.name} is ${String(target.type)}, not ${subType}.`);
    }
    parametersOf(b, `button[${index}]`);
    covered.add(index);
  }
  defined.forEach((button, index) => {
    if (button.type === 'URL' && placeholders(button.url).length > 0 && !covered.has(index)) {
      throw metaError(131008, `Button at index ${index} of type Url requires a parameter.`);
    }
  });
}
