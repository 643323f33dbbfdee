// The rows of the agent's ticket list as one element (ui/agent/tickets_page.py); named
// apart from the portal's ticket_list.js, as NiceGUI names a component by its file.
// Rows arrive as arrays: [number, link, subject, "customer · organization",
// pending (bool), status, status colour, assigned agent].
// Every text is rendered with {{ }}, as text.
export default {
  template: `
    <q-markup-table flat bordered wrap-cells class="full-width">
      <thead>
        <tr><th v-for="label in columns" :key="label" class="text-left">{{ label }}</th></tr>
      </thead>
      <tbody>
        <tr v-for="row in rows" :key="row[0]">
          <td><a :href="row[1]" class="text-primary text-bold" style="text-decoration: none">#{{ row[0] }}</a></td>
          <td>
            <a :href="row[1]" class="text-primary text-body1" style="text-decoration: none">{{ row[2] }}</a>
            <div class="text-caption text-grey-8">{{ row[3] }}</div>
          </td>
          <td>
            <div class="row items-center no-wrap" style="gap: 0.5rem">
              <span v-if="row[4]" role="img" :aria-label="pendingLabel" class="row items-center">
                <q-icon name="pending_actions" color="orange" size="sm" />
                <q-tooltip>{{ pendingLabel }}</q-tooltip>
              </span>
              <q-badge :color="row[6]" :label="row[5]" />
            </div>
          </td>
          <td class="text-grey-8">{{ row[7] }}</td>
        </tr>
      </tbody>
    </q-markup-table>`,
  props: {
    columns: Array,
    rows: Array,
    pendingLabel: String,
  },
};
