// The manager's requests awaiting approval, one card each, as one element
// (ui/portal/approvals_page.py). Rows arrive as arrays:
// [request id, path, "#number — subject", facts, deadline or "", progress or ""].
// Every text is rendered with {{ }}, as text.
export default {
  template: `
    <div class="column full-width" style="gap: 0.5rem">
      <q-card v-for="row in rows" :key="row[0]" class="full-width q-pa-sm column" style="gap: 0.25rem">
        <div class="row full-width items-center no-wrap" style="gap: 0.75rem">
          <a :href="row[1]" class="nicegui-link col text-bold text-body1">{{ row[2] }}</a>
          <q-btn outline dense color="primary" :href="row[1]" :label="evaluate" />
        </div>
        <div class="text-grey-8">{{ row[3] }}</div>
        <div v-if="row[4]" class="text-grey-8">{{ row[4] }}</div>
        <div v-if="row[5]" class="text-grey-8">{{ row[5] }}</div>
      </q-card>
    </div>`,
  props: {
    rows: Array,
    evaluate: String,
  },
};
