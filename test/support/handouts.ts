// Real handouts made by real libraries (pdf-lib, docx, exceljs, pptxgenjs); OpenDocument files are
// written to the ODF package layout (mimetype first and stored, manifest, content.xml).
import { Document, Packer, Paragraph, TextRun } from 'docx';
import ExcelJS from 'exceljs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import PptxGenJS from 'pptxgenjs';
import { zip } from './files';

/** A PDF with `pages` pages; page i holds `lines(i)` (1-based). */
export async function makePdf(lines: (page: number) => string[], pages = 1): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const page = doc.addPage([595, 842]);
    let y = 800;
    for (const line of lines(i)) {
      page.drawText(line, { x: 50, y, size: 11, font });
      y -= 16;
      if (y < 40) break;
    }
  }
  return Buffer.from(await doc.save());
}

export async function makeDocx(paragraphs: string[]): Promise<Buffer> {
  const doc = new Document({ sections: [{ children: paragraphs.map((p) => new Paragraph({ children: [new TextRun(p)] })) }] });
  return Packer.toBuffer(doc);
}

export async function makeXlsx(rows: string[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Blad1');
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await book.xlsx.writeBuffer());
}

export async function makePptx(slides: string[]): Promise<Buffer> {
  const pres = new PptxGenJS();
  for (const text of slides) pres.addSlide().addText(text, { x: 1, y: 1, w: 8, h: 1 });
  return (await pres.write({ outputType: 'nodebuffer' })) as Buffer;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function odf(mimetype: string, body: string): Buffer {
  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="${mimetype}"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>`;
  const content = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.3"><office:body>${body}</office:body></office:document-content>`;
  return zip({ mimetype, 'META-INF/manifest.xml': manifest, 'content.xml': content });
}

export const makeOdt = (paragraphs: string[]) =>
  odf('application/vnd.oasis.opendocument.text', `<office:text>${paragraphs.map((p) => `<text:p>${escapeXml(p)}</text:p>`).join('')}</office:text>`);

export const makeOds = (rows: string[][]) =>
  odf(
    'application/vnd.oasis.opendocument.spreadsheet',
    `<office:spreadsheet><table:table table:name="Blad1">${rows.map((r) => `<table:table-row>${r.map((c) => `<table:table-cell office:value-type="string"><text:p>${escapeXml(c)}</text:p></table:table-cell>`).join('')}</table:table-row>`).join('')}</table:table></office:spreadsheet>`,
  );
