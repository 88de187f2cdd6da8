// Reads an .ics file with two independent JavaScript parsers and prints, per VEVENT UID, the
// start instant each one sees: {"ical.js": {uid: iso}, "node-ical": {uid: iso}}.
// ical.js is the parser of Thunderbird and Nextcloud; it is given only the file's own VTIMEZONEs.
// All-day starts print as YYYY-MM-DD.
import fs from 'node:fs';
import ICAL from 'ical.js';
import ical from 'node-ical';

const text = fs.readFileSync(process.argv[2], 'utf8');
const out = { 'ical.js': {}, 'node-ical': {} };

const root = new ICAL.Component(ICAL.parse(text));
for (const vtz of root.getAllSubcomponents('vtimezone')) {
  ICAL.TimezoneService.register(vtz);
}
for (const vevent of root.getAllSubcomponents('vevent')) {
  const event = new ICAL.Event(vevent);
  const start = event.startDate;
  out['ical.js'][event.uid] = start.isDate ? start.toString() : start.toJSDate().toISOString();
}

const parsed = ical.sync.parseICS(text);
for (const item of Object.values(parsed)) {
  if (item.type !== 'VEVENT') continue;
  const start = item.start;
  if (start.dateOnly) {
    const pad = (n) => String(n).padStart(2, '0');
    out['node-ical'][item.uid] = `${start.getFullYear()}-${pad(start.getMonth() + 1)}-${pad(start.getDate())}`;
  } else {
    out['node-ical'][item.uid] = start.toISOString();
  }
}
process.stdout.write(JSON.stringify(out));
