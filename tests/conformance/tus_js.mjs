// tus-js-client (an independent tus 1.0 client) under Node against ceria-server: an upload
// aborted after its first chunk, then resumed by a new Upload from the stored URL. Checks the
// stored blob byte for byte.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as tus from 'tus-js-client'

const [base, token, dataDir] = process.argv.slice(2)
const data = Buffer.alloc(520_000)
for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) % 251
const sha256 = createHash('sha256').update(data).digest('hex')
const options = {
  endpoint: `${base}/v1/uploads`,
  headers: { Authorization: `Bearer ${token}` },
  chunkSize: 150_000,
  retryDelays: [0, 200, 500],
  metadata: { filename: 'akta.jpg', filetype: 'image/jpeg', sha256 },
}

function run (upload) {
  return new Promise((resolve, reject) => {
    upload.options.onError = reject
    upload.options.onSuccess = () => resolve(upload)
    upload.start()
  })
}

// First attempt: stop after the first chunk is confirmed (a phone losing its signal).
const firstUrl = await new Promise((resolve, reject) => {
  const upload = new tus.Upload(data, {
    ...options,
    onError: reject,
    onChunkComplete: (_size, accepted) => {
      if (accepted >= 150_000) {
        upload.abort().then(() => resolve(upload.url), reject)
      }
    },
  })
  upload.start()
})

// Second attempt: a new Upload resumes from the server's offset.
const head = await fetch(firstUrl, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${token}` } })
const offset = Number(head.headers.get('upload-offset'))
if (offset !== 150_000) throw new Error(`expected offset 150000 after abort, got ${offset}`)
await run(new tus.Upload(data, { ...options, uploadUrl: firstUrl }))

const stored = readFileSync(join(dataDir, 'blobs', sha256))
if (!stored.equals(data)) throw new Error('stored blob differs from the file')
console.log('tus-js-client: aborted upload resumed ok')
