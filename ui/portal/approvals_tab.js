// The manager's "Aprovar Ações (N)" tab as one element (ui/portal/approvals_tab.py): a
// link whose text is the server's (the slot), and what an event has the browser do
// besides, carried by the same element update — the count in the tab's title, and for a
// new request a toast and, while the tab is in the background, a system notification.
// `announcement`: [key, toast text, notification title, notification body, url] or null.
// Every text stays text: Quasar's toast and the Notification API take no markup.

// Per page load, not per mounted component: a component mounted again (or an update
// replayed after a reconnect) never repeats the toast; a tab built by the event that
// announces (a stand-in's first request) still shows it.
let lastAnnounced = null;

export default {
  template: `<a :href="computed_href" :target="target"><slot></slot></a>`,
  props: {
    href: String,
    target: String,
    count: Number,
    base: String,
    announcement: Array,
  },
  data() {
    return { computed_href: this.href };
  },
  mounted() {
    setTimeout(this.compute_href, 0); // as NiceGUI's link: window.path_prefix is set in app.mounted()
    if (this.count > 0) this.showCount(this.count);
    this.announce();
  },
  updated() {
    this.compute_href();
  },
  watch: {
    count(count) {
      this.showCount(count);
    },
    announcement() {
      this.announce();
    },
  },
  methods: {
    compute_href() {
      this.computed_href = (this.href.startsWith("/") ? window.path_prefix : "") + this.href;
    },
    showCount(count) {
      if (window.aval) window.aval.setCount(count, this.base);
    },
    announce() {
      const announcement = this.announcement;
      if (!announcement || announcement[0] === lastAnnounced) return;
      lastAnnounced = announcement[0];
      const [, message, title, body, url] = announcement;
      // What NiceGUI's ui.notify(text, type="info", position="top-right", multi_line=True) sends.
      Quasar.Notify.create({ message, type: "info", position: "top-right", multiLine: true, closeBtn: false });
      if (window.aval) window.aval.notify(title, body, url);
    },
  },
};
