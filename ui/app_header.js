// The header of both panels as one element: product and panel name, navigation, the
// live indicator (the server's element, in the slot), and the language and user menus,
// which live only in the browser (docs/benchmarks.md, memory). Every text is rendered
// with {{ }}, as text. Choices go back to the server as events.
export default {
  template: `
    <q-header ref="qRef">
      <div class="text-subtitle1 text-bold">{{ brand }}</div>
      <nav :aria-label="texts[6]" class="row items-center">
        <a v-for="[label, path] in nav" :key="path" :href="path" class="text-white q-px-sm nav-link"
           style="text-decoration: none">{{ label }}</a>
      </nav>
      <div style="margin-left: auto"></div>
      <slot></slot>
      <q-btn flat round color="white" icon="translate" :aria-label="texts[0]">
        <q-menu>
          <q-list role="none" style="min-width: 12rem">
            <q-item v-for="[code, name, current] in languages" :key="code" clickable v-close-popup
                    role="menuitemradio" :aria-checked="String(current)" @click="$emit('language', code)">
              <q-item-section :class="{ 'text-bold': current }">{{ name }}</q-item-section>
            </q-item>
          </q-list>
        </q-menu>
      </q-btn>
      <q-btn flat round color="white" icon="account_circle" :aria-label="texts[1]">
        <q-menu @show="syncPush">
          <q-list role="none" style="min-width: 14rem">
            <div class="q-px-md q-pt-sm text-bold">{{ person[0] }}</div>
            <div class="q-px-md q-pb-sm text-caption">{{ person[1] }}</div>
            <q-separator />
            <q-item clickable tag="a" :href="profile[1]" role="menuitem">
              <q-item-section>{{ profile[0] }}</q-item-section>
            </q-item>
            <template v-if="push">
              <q-item v-if="pushHere === false" clickable v-close-popup role="menuitem" @click="pushOn">
                <q-item-section>{{ texts[3] }}</q-item-section>
              </q-item>
              <q-item v-if="pushHere === true" clickable v-close-popup role="menuitem" @click="$emit('push_off')">
                <q-item-section>{{ texts[4] }}</q-item-section>
              </q-item>
              <div v-if="pushHere === null" class="q-px-md q-py-sm text-caption">{{ texts[5] }}</div>
              <q-separator />
            </template>
            <q-item clickable v-close-popup role="menuitem" @click="$emit('sign_out')">
              <q-item-section>{{ texts[2] }}</q-item-section>
            </q-item>
          </q-list>
        </q-menu>
      </q-btn>
    </q-header>`,
  props: {
    brand: String,
    nav: Array,  // [[label, path], …]
    languages: Array,  // [[code, name, current], …]
    person: Array,  // [name, e-mail]
    profile: Array,  // [label, path] of the person's profile page
    texts: Array,  // [language, account, sign out, push on, push off, push unsupported, navigation]
    push: Boolean,
    addScrollPadding: Boolean,
  },
  data() {
    return { pushHere: undefined };  // unknown until the menu opens
  },
  mounted() {
    if (this.addScrollPadding) {
      this.resizeObserver = new ResizeObserver(() => {
        document.documentElement.style.scrollPaddingTop = `${this.$el.offsetHeight}px`;
      });
      this.resizeObserver.observe(this.$el);
    }
  },
  unmounted() {
    this.resizeObserver?.disconnect();
  },
  methods: {
    // The server knows whether the person has a subscription somewhere, not whether this
    // browser has one: the menu offers what applies here.
    async syncPush() {
      if (this.push && window.avalPush) this.pushHere = await window.avalPush.subscribedHere();
    },
    pushOn() {
      // The permission prompt must come from the click itself (a user gesture).
      if (window.avalPush) window.avalPush.askPermission();
      this.$emit('push_on');
    },
  },
};
