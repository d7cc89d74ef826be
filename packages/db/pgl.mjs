import { PGlite } from '@electric-sql/pglite';
const p = new PGlite();
const r = await p.query("select 5::bigint as a, count(*) as c, now() as t, '{\"x\":1}'::jsonb as j, (select 1) as s");
console.log(r.rows, typeof r.rows[0].a);
