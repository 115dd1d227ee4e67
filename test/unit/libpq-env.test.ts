import { describe, expect, it } from 'vitest';
import { libpqEnv } from '../../server/db/backup';

describe('libpqEnv (pg_dump and pg_restore get the connection in their environment, never on the command line)', () => {
  it('takes host, port, user, an encoded password, the database and sslmode from the URL', () => {
    expect(libpqEnv('postgres://plein:p%40ss%2Fw%3Ard@db.example:6432/forum?sslmode=require')).toEqual({
      PGHOST: 'db.example',
      PGPORT: '6432',
      PGUSER: 'plein',
      PGPASSWORD: 'p@ss/w:rd',
      PGDATABASE: 'forum',
      PGSSLMODE: 'require',
    });
  });

  it('reads a Unix socket directory from ?host= and leaves out what the URL does not say', () => {
    expect(libpqEnv('postgresql:///plein?host=/var/run/postgresql')).toEqual({ PGHOST: '/var/run/postgresql', PGDATABASE: 'plein' });
  });
});
