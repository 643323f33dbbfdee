// Quasar's select puts its options in a virtual-scroll wrapper that takes tabindex="-1";
// a focusable element without a role inside a listbox hides the options' structure from
// screen readers (axe: aria-required-children). Nothing focuses the wrapper itself
// (the select moves an active-descendant highlight), so the attribute is dropped.
'use strict';
new MutationObserver(() => {
  for (const wrapper of document.querySelectorAll('[role=listbox] > .q-virtual-scroll__content[tabindex]')) {
    wrapper.removeAttribute('tabindex');
  }
}).observe(document.documentElement, { childList: true, subtree: true });
