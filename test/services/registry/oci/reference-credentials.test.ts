import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerConfigCredentials } from '../../../../electron/services/registry/oci/credentials';
import { parseChallenge } from '../../../../electron/services/registry/oci/oci-client';
import { tempDir } from '../../../helpers/temp-dir';

describe('parseChallenge', () => {
  it('parses Bearer params with quoted commas', () => {
    expect(parseChallenge('Bearer realm="https://auth.io/token",service="reg",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.io/token', service: 'reg', scope: 'repository:a/b:pull,push' },
    });
    expect(parseChallenge('Basic realm="x"')?.scheme).toBe('basic');
  });
});

describe('dockerConfigCredentials', () => {
  it('reads auths (auth and identitytoken) from DOCKER_CONFIG', async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        auths: {
          'reg.example.com:5000': { auth: Buffer.from('alice:pa:ss').toString('base64') },
          'https://other.example.com/v1/': { identitytoken: 'refresh-123' },
          'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') },
        },
      }),
    );
    const creds = dockerConfigCredentials({ env: { DOCKER_CONFIG: dir } });
    expect(await creds('reg.example.com:5000')).toEqual({ username: 'alice', password: 'pa:ss' });
    expect(await creds('other.example.com')).toEqual({ identityToken: 'refresh-123' });
    expect(await creds('docker.io')).toEqual({ username: 'hub', password: 'pw' });
    expect(await creds('unknown.example.com')).toBeNull();
    expect(await dockerConfigCredentials({ configPath: path.join(dir, 'missing.json') })('x.io')).toBeNull();
  });

  it('runs credHelpers / credsStore helpers with the host on stdin', async () => {
    const dir = tempDir();
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const script = path.join(bin, 'docker-credential-orrerytest');
    fs.writeFileSync(
      script,
      '#!/bin/sh\nread host\nif [ "$host" = "helped.example.com" ]; then echo "{\\"ServerURL\\":\\"$host\\",\\"Username\\":\\"bob\\",\\"Secret\\":\\"s3\\"}"; ' +
        'elif [ "$host" = "tok.example.com" ]; then echo "{\\"Username\\":\\"<token>\\",\\"Secret\\":\\"idt\\"}"; ' +
        'else echo "credentials not found in native keychain"; exit 1; fi\n',
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credHelpers: { 'helped.example.com': 'orrerytest' }, credsStore: 'orrerytest' }));
    const env = { DOCKER_CONFIG: dir, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const creds = dockerConfigCredentials({ env });
    expect(await creds('helped.example.com')).toEqual({ username: 'bob', password: 's3' });
    expect(await creds('tok.example.com')).toEqual({ identityToken: 'idt' });
    expect(await creds('nothing.example.com')).toBeNull();
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credsStore: 'missinghelper' }));
    await expect(creds('x.example.com')).rejects.toThrow(/docker-credential-missinghelper could not be run/);
  });
});
