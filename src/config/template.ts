/**
 * The commented configuration `ledgerlink init` writes. It points at the sandboxes
 * (`ledgerlink sandbox acumatica` / `ledgerlink sandbox magento`) so that it works as written;
 * replace the URLs and credentials with your systems'.
 */
export const CONFIG_TEMPLATE = `# Ledgerlink configuration.
# Values written as \${NAME} come from the environment (\${NAME:-default} falls back to a default),
# so secrets need not live in this file. Check it with: ledgerlink doctor

# Where Ledgerlink keeps its state. The embedded default is a SQLite file; at scale use
# postgres://user:password@host:5432/ledgerlink. LEDGERLINK_DATABASE_URL overrides this line.
database: sqlite:./data/ledgerlink.db

# The HTTP API (and the webhook intake). Keep it on 127.0.0.1 unless a proxy fronts it.
server:
  host: 127.0.0.1
  port: 3000

# The systems Ledgerlink talks to. Each connector documents its settings (ledgerlink doctor lists problems).
connections:
  acumatica:
    connector: acumatica
    settings:
      baseUrl: \${ACUMATICA_URL:-http://127.0.0.1:8081}
      endpointVersion: "24.200.001"   # or "23.200.001"
      authMode: cookie                # cookie (a session, always logged out) or oauth2 (a connected application)
      # oauthFlow: password           # oauth2 only: password, or authorization_code (then run: ledgerlink authorize acumatica)
      username: \${ACUMATICA_USERNAME:-admin}
      password: \${ACUMATICA_PASSWORD:-sandbox}
      company: \${ACUMATICA_COMPANY:-Company}
      # clientId: 00000000-0000-0000-0000-000000000000@Company   # oauth2 only
      # clientSecret: \${ACUMATICA_CLIENT_SECRET}                # oauth2 only
  magento:
    connector: magento
    settings:
      baseUrl: \${MAGENTO_URL:-http://127.0.0.1:8082}
      authMode: token                 # token (an integration's access token) or admin (username + password)
      accessToken: \${MAGENTO_TOKEN:-sandbox-integration-token}
      websiteId: 1

# What flows where. A flow named here takes its defaults from Ledgerlink's catalog; override what you need.
flows:
  acumatica-magento.customers:
    enabled: true
    schedule: "*/15 * * * *"          # cron hours; remove for manual / batch only
    # On customers that already exist in Magento, change only these fields; everything else stays as it is.
    ownedFields: [creditLimit, onHold]
    # Sync only customers for which ANY of these JSONata conditions holds (none = every customer).
    # conditions:
    #   - name: has an e-mail
    #     expression: "$exists(email)"
  acumatica-magento.products:
    enabled: true
    schedule: "*/15 * * * *"
    ownedFields: [listPrice, standardCost, stock]
`;
