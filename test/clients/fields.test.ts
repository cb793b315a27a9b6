import { describe, expect, it } from 'vitest';
import { checkDocument, clientFieldsSchema, defaultDocumentTypes, normalizeDocumentNumber, normalizePhone, withLostZeros } from '../../src/clients/fields.js';
import { parseClientFilters } from '../../src/clients/queries.js';
import { parseWith } from '../../src/platform/forms.js';
import { translateMessage, translator } from '../../src/platform/i18n/index.js';

describe('client fields', () => {
  it('gives a number cell back the leading zeros a DNI can have, and no more', () => {
    expect(withLostZeros(defaultDocumentTypes, 'DNI', '1234567')).toBe('01234567');
    expect(withLostZeros(defaultDocumentTypes, 'dni', '123456')).toBe('00123456');
    // Three or more missing: a number cut short, which its rule refuses, not another debtor.
    expect(withLostZeros(defaultDocumentTypes, 'DNI', '12345')).toBe('12345');
    expect(withLostZeros(defaultDocumentTypes, 'DNI', '123')).toBe('123');
    expect(withLostZeros(defaultDocumentTypes, 'CE', '123')).toBe('123');
  });

  it('drops separators from numeric documents, keeps leading zeros, and upper-cases the rest', () => {
    expect(normalizeDocumentNumber('DNI', ' 01.234.567 ')).toBe('01234567');
    expect(normalizeDocumentNumber('RUC', '20-12345678-9')).toBe('20123456789');
    expect(normalizeDocumentNumber('PASAPORTE', ' ab12345 ')).toBe('AB12345');
    expect(normalizeDocumentNumber('CE', 'x-1')).toBe('X-1');
  });

  it('checks each default document type against its rule', () => {
    expect(checkDocument(defaultDocumentTypes, 'DNI', '01234567')).toBeNull();
    // A DNI that a spreadsheet read as a number lost its leading 0: the message counts the digits.
    expect(checkDocument(defaultDocumentTypes, 'DNI', '1234567')).toBe('clients.error.documentDigitsShort?type=DNI&digits=8&count=7');
    expect(checkDocument(defaultDocumentTypes, 'DNI', '123456789')).toBe('clients.error.documentDigits?type=DNI&digits=8&count=9');
    expect(checkDocument(defaultDocumentTypes, 'DNI', '1234567A')).toBe('clients.error.documentFormat?type=DNI');
    // SUNAT's and BCP's own RUCs; then the first with its last digit changed (módulo 11).
    expect(checkDocument(defaultDocumentTypes, 'RUC', '20131312955')).toBeNull();
    expect(checkDocument(defaultDocumentTypes, 'RUC', '20100047218')).toBeNull();
    expect(checkDocument(defaultDocumentTypes, 'RUC', '20131312954')).toBe('clients.error.rucCheckDigit');
    expect(checkDocument(defaultDocumentTypes, 'RUC', '20123456789')).toBe('clients.error.rucCheckDigit');
    // A RUC says what it should be: eleven digits, starting as SUNAT's do.
    expect(checkDocument(defaultDocumentTypes, 'RUC', '30123456789')).toBe('clients.error.rucPrefix');
    expect(checkDocument(defaultDocumentTypes, 'RUC', '2010000269')).toBe('clients.error.documentDigits?type=RUC&digits=11&count=10');
    expect(checkDocument(defaultDocumentTypes, 'RUC', '2013131295X')).toBe('clients.error.documentFormat?type=RUC');
    expect(checkDocument(defaultDocumentTypes, 'CE', '00123456A')).toBeNull();
    expect(checkDocument(defaultDocumentTypes, 'NIT', '900123456')).toBeNull();
    // A range of lengths is said when the length is what is wrong.
    expect(checkDocument(defaultDocumentTypes, 'CC', '12345')).toBe('clients.error.documentDigitsRange?type=CC&min=6&max=10&count=5');
    expect(checkDocument(defaultDocumentTypes, 'CE', 'AB12')).toBe('clients.error.documentCharsRange?type=CE&min=9&max=12&count=4');
    expect(checkDocument(defaultDocumentTypes, 'CE', 'AB12-34567')).toBe('clients.error.documentFormat?type=CE');
    // A type whose label is a plain word is named by it, not by its code in capitals.
    expect(checkDocument(defaultDocumentTypes, 'PASAPORTE', 'AB1')).toBe('clients.error.documentCharsRange?type=pasaporte&min=6&max=12&count=3');
    expect(checkDocument([{ code: 'RUT', label: 'RUT', pattern: '^\\d{8,9}$' }], 'RUT', '123')).toBe('clients.error.documentDigitsRange?type=RUT&min=8&max=9&count=3');
    expect(checkDocument(defaultDocumentTypes, 'DNI', '  ')).toBe('clients.error.documentRequired');
    expect(checkDocument(defaultDocumentTypes, 'LIBRETA', '123')).toBe('clients.error.documentTypeInvalid');
  });

  it('writes phones in E.164 using the tenant’s country for local numbers', () => {
    expect(normalizePhone('987 654 321', 'PE')).toBe('+51987654321');
    expect(normalizePhone('+56 9 1234 5678', 'PE')).toBe('+56912345678');
    expect(normalizePhone('300 123 4567', 'CO')).toBe('+573001234567');
    expect(normalizePhone('12', 'PE')).toBeNull();
    expect(normalizePhone('', 'PE')).toBeNull();
  });

  it('keeps a name on one line, its spaces as one', () => {
    const schema = clientFieldsSchema({ documentTypes: defaultDocumentTypes, country: 'PE', variables: [] });
    const parsed = parseWith(schema, { documentType: 'DNI', documentNumber: '12345678', name: '  Multi\r\nLínea\t  Pérez ' });
    expect(parsed.ok && parsed.value.name).toBe('Multi Línea Pérez');
    const blank = parseWith(schema, { documentType: 'DNI', documentNumber: '12345678', name: ' \r\n\t ' });
    expect(blank).toMatchObject({ ok: false, errors: { name: 'clients.error.nameRequired' } });
  });

  it('reports every wrong field at once, the document included', () => {
    const schema = clientFieldsSchema({ documentTypes: defaultDocumentTypes, country: 'PE', variables: [] });
    const result = parseWith(schema, { documentType: 'DNI', documentNumber: '123', name: '', email: 'x@', phone: '1', status: 'perdido' });
    expect(result).toEqual({
      ok: false,
      errors: {
        documentNumber: 'clients.error.documentDigits?type=DNI&digits=8&count=3',
        name: 'clients.error.nameRequired',
        email: 'clients.error.emailInvalid',
        phone: 'clients.error.phoneInvalid?example=%2B51%20912%20345%20678',
        status: 'clients.error.statusInvalid',
      },
    });
    // The example is a number of the tenant's own country.
    const chile = parseWith(clientFieldsSchema({ documentTypes: defaultDocumentTypes, country: 'CL', variables: [] }), { documentType: 'DNI', documentNumber: '12345678', name: 'a', phone: '12' });
    expect(chile.ok ? null : translateMessage(translator('es'), chile.errors.phone!)).toBe('El teléfono no es válido. Escríbelo con código de país, por ejemplo +56 2 2123 4567.');
  });

  it('reads the tray filters, dropping what it does not understand', () => {
    expect(parseClientFilters({ status: 'eliminado', situation: 'mora_1_30', supervisor: '7', advisor: 'x', claim: 'problemas_pago', 'var.region': 'Sur', 'var.bad key': 'x' })).toEqual({
      status: 'eliminado',
      situation: 'mora_1_30',
      supervisorId: 7,
      claimCategory: 'problemas_pago',
      variables: { region: 'Sur' },
    });
    expect(parseClientFilters({ 'var.region': 'Sur' }, { variableKeys: ['zona'] }).variables).toEqual({});
    expect(parseClientFilters({ q: '987654321' }, { country: 'PE' }).qPhone).toBe('+51987654321');
  });
});
