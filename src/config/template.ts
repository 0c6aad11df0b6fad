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
  # Behind a reverse proxy, believe its X-Forwarded-For (true, or its addresses), so limits count callers.
  # trustProxy: false
  # The address people open the dashboard at, when a proxy puts it elsewhere: OAuth connections
  # (QuickBooks Online) are sent back to <publicUrl>/oauth/callback, which must be registered with the app.
  # publicUrl: https://ledgerlink.example.com
  # What one caller may ask (SECURITY.md); the defaults:
  # limits:
  #   loginsPerMinutePerAddress: 20
  #   concurrentPasswordChecks: 2
  #   webhooksPerMinutePerAddress: 6000
  #   webhooksPerMinute: 30000
  #   refusedWebhookRetentionDays: 7

# Alerts (the rules and their thresholds are on the dashboard's Alerts screen). One message per
# incident on each channel, a reminder every reminderHours while it lasts, one when it is resolved.
# alerts:
#   checkEverySeconds: 60
#   reminderHours: 4
#   email:
#     host: smtp.example.com
#     port: 587                     # secure: true for 465 (TLS from the start); else STARTTLS when offered
#     user: \${SMTP_USER}
#     pass: \${SMTP_PASSWORD}
#     from: ledgerlink@example.com
#     to: [ops@example.com]
#   webhook:
#     url: \${ALERT_WEBHOOK_URL}     # a Slack or Teams incoming webhook, or your own endpoint
#     format: json                  # json, slack or teams

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
      orderTypes: SO                  # order types the order flows read (numbers must be unique across them)
      # guestCustomerId: WEBGUEST     # the customer web orders placed without an account are booked to
      # webOrderCancellation: cancel  # a web order cancelled (or refunded in full) later: cancel, hold or ignore
      # releasePayments: true         # release the prepayments and refunds recorded for web orders
      # Push notifications (SM302000, destination type Webhook, address http://<ledgerlink>/hooks/acumatica)
      # carry this header; generic inquiries named LL-SalesOrders, LL-Shipments, LL-SalesInvoices, LL-Payments.
      webhookHeaderName: X-Ledgerlink-Token
      webhookHeaderValue: \${ACUMATICA_WEBHOOK_TOKEN:-sandbox-push-secret}
    # What this connection may send, over what its connector declares (Acumatica: 4 requests at once):
    # requestsPerSecond, requestsPerMinute, concurrency. Every Ledgerlink process sharing a PostgreSQL
    # store keeps it together.
    # rateLimit: { requestsPerMinute: 500, concurrency: 4 }
  magento:
    connector: magento
    settings:
      baseUrl: \${MAGENTO_URL:-http://127.0.0.1:8082}
      authMode: token                 # token (an integration's access token) or admin (username + password)
      accessToken: \${MAGENTO_TOKEN:-sandbox-integration-token}
      websiteId: 1
      # Adobe Commerce webhooks (sales_order_save_after → http://<ledgerlink>/hooks/magento) are verified
      # with the store's public key (Adobe Services › Webhooks › Digital Signature), or a token header:
      # webhookPublicKey: \${MAGENTO_WEBHOOK_PUBLIC_KEY}
      # webhookSecret: \${MAGENTO_WEBHOOK_TOKEN}

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

  # Order to cash. Webhooks bring changes in real time; each schedule is the polling pass behind them.
  # Web orders into Acumatica; their customers and products are created there first when missing.
  magento-acumatica.orders:
    schedule: "*/5 * * * *"
  magento-acumatica.customers: {}
  magento-acumatica.products: {}
  # Acumatica orders to Magento when ANY sync preference holds (the defaults: unpaid balance 0.00,
  # status Completed, ship via WILLCALL); an order that meets none is skipped, each preference named.
  acumatica-magento.orders:
    schedule: "*/5 * * * *"
    # conditions:
    #   - name: paid in full
    #     expression: "$number(unpaidBalance.amount) = 0"
    #     explain: '"the unpaid balance is " & unpaidBalance.amount'
  acumatica-magento.shipments:      # confirmed shipments, with carrier and tracking numbers
    schedule: "*/5 * * * *"
  acumatica-magento.invoices:       # released invoices; never overwritten
    schedule: "*/5 * * * *"
  acumatica-magento.payments:       # released payments, noted on the orders they pay
    schedule: "*/5 * * * *"

# Codes that differ between the systems, one row per code. A code no row maps fails its record with
# the map's name ("shipping method FEDEX2DAY has no Magento mapping"); add the row and retry.
valueMaps:
  shippingMethod:                   # Acumatica ShipVia ↔ Magento carrier_method
    - { acumatica: FLATRATE, magento: flatrate_flatrate }
    - { acumatica: UPSGROUND, magento: ups_GND }
    - { acumatica: WILLCALL, magento: instore_pickup }
  paymentMethod:
    - { acumatica: CHECK, magento: checkmo }
    - { acumatica: CCARD, magento: braintree }
    - { acumatica: INVOICE, magento: purchaseorder }
  orderType:                        # Magento orders are "web"; a flow's transform may set another
    - { magento: web, acumatica: SO }
  taxClass:                         # Magento tax rate codes ↔ Acumatica tax IDs
    - { magento: "US-NY-*-Rate 1", acumatica: NYSTATE }
    - { magento: "US-CA-*-Rate 1", acumatica: CASTATE }
    - { magento: VAT20, acumatica: VAT20 }
`;
