import { useStore } from 'zustand';
import { createDocumentStore, type DocumentStore } from './documentStore';

/** The one editor document of the app. */
export const documentStore = createDocumentStore();

export function useDocument<T>(selector: (state: DocumentStore) => T): T {
  return useStore(documentStore, selector);
}
