// A Vendure 3 server for Kairo's connector tests: sql.js storage in one
// file, the shop and admin GraphQL APIs on 127.0.0.1 only.
//
//   node server.js seed  DB_FILE   populate a new database (54 products)
//   node server.js serve DB_FILE   serve it on $PORT
//
// Environment: PORT, VENDURE_SUPERADMIN_PASSWORD (default "superadmin").
const path = require('path');
const fs = require('fs');
const { bootstrap, DefaultJobQueuePlugin, dummyPaymentHandler, DefaultSearchPlugin } = require('@vendure/core');

const [mode, dbFile] = process.argv.slice(2);
if (!['seed', 'serve'].includes(mode) || !dbFile) {
    console.error('usage: node server.js seed|serve DB_FILE');
    process.exit(2);
}
process.env.VENDURE_DISABLE_TELEMETRY = 'true';

const config = {
    apiOptions: {
        hostname: '127.0.0.1',
        port: Number(process.env.PORT || 3000),
        adminApiPath: 'admin-api',
        shopApiPath: 'shop-api',
    },
    authOptions: {
        tokenMethod: ['cookie', 'bearer'],
        superadminCredentials: {
            identifier: 'superadmin',
            password: process.env.VENDURE_SUPERADMIN_PASSWORD || 'superadmin',
        },
        cookieOptions: { secret: 'kairo-test-cookie-secret' },
        requireVerification: false,
    },
    dbConnectionOptions: {
        type: 'sqljs',
        location: path.resolve(dbFile),
        autoSave: true,
        synchronize: true,
        logging: false,
    },
    paymentOptions: { paymentMethodHandlers: [dummyPaymentHandler] },
    plugins: [DefaultJobQueuePlugin.init({ pollInterval: 200 }), DefaultSearchPlugin.init({ bufferUpdates: false })],
    logger: undefined,
};

async function seed() {
    const { populate } = require('@vendure/core/cli');
    const assets = path.dirname(require.resolve('@vendure/create/assets/initial-data.json'));
    const initialData = require(path.join(assets, 'initial-data.json'));
    // The product list without its image columns: the tests run offline.
    const csv = fs.readFileSync(path.join(assets, 'products.csv'), 'utf8');
    const lines = csv.split('\n');
    const header = lines[0].split(',');
    const assetCols = header.map((h, i) => (/^\s*(assets|variantAssets)\s*$/.test(h) ? i : -1)).filter((i) => i >= 0);
    const out = lines.map((line, n) => {
        if (n === 0 || !line.trim()) return line;
        const cells = splitCSV(line);
        for (const i of assetCols) cells[i] = '';
        return cells.map(quoteCSV).join(',');
    });
    const tmpCsv = path.resolve(dbFile + '.products.csv');
    fs.writeFileSync(tmpCsv, out.join('\n'));
    const app = await populate(
        () => bootstrap({ ...config, apiOptions: { ...config.apiOptions, port: 0 }, importExportOptions: { importAssetsDir: assets } }),
        initialData,
        tmpCsv,
    );
    await app.close();
    fs.unlinkSync(tmpCsv);
}

function splitCSV(line) {
    const cells = [];
    let cur = '', q = false;
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (q) {
            if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
            else if (c === '"') q = false;
            else cur += c;
        } else if (c === '"') q = true;
        else if (c === ',') { cells.push(cur); cur = ''; }
        else cur += c;
    }
    cells.push(cur);
    return cells;
}

function quoteCSV(s) {
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

if (mode === 'seed') {
    seed().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
} else {
    bootstrap(config).catch((err) => { console.error(err); process.exit(1); });
}
