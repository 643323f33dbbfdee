// The portal's ticket list, with its "Novo chamado" button, as one element
// (ui/portal/tickets_page.py). Rows arrive as arrays:
// [number, link, subject, customer, status, status colour, last update].
// Every text is rendered with {{ }}, as text.
export default {
  template: `
    <div class="column full-width" style="gap: 1rem">
    <div><q-btn color="primary" icon="add" :label="newLabel" @click="$emit('new_ticket')" /></div>
    <q-markup-table flat bordered wrap-cells class="full-width">
      <thead>
        <tr><th v-for="label in columns" :key="label" class="text-left">{{ label }}</th></tr>
      </thead>
      <tbody>
        <tr v-for="row in rows" :key="row[0]">
          <td><a :href="row[1]" class="text-primary text-bold" style="text-decoration: none">#{{ row[0] }}</a></td>
          <td><a :href="row[1]" class="text-primary" style="text-decoration: none">{{ row[2] }}</a></td>
          <td v-if="withCustomer">{{ row[3] }}</td>
          <td><q-badge :color="row[5]" :label="row[4]" /></td>
          <td class="text-grey-8">{{ row[6] }}</td>
        </tr>
        <tr v-if="!rows.length">
          <td :colspan="columns.length" class="text-grey-7">{{ empty }}</td>
        </tr>
      </tbody>
    </q-markup-table>
    </div>`,
  props: {
    columns: Array,
    rows: Array,
    withCustomer: Boolean,
    empty: String,
    newLabel: String,
  },
};
