/**
 * Static reference data for the demo shop: product types and families (with price ranges,
 * VAT rates, variant schemes and co-purchase affinities), signature product pairs, people
 * names and places. Pure data, no randomness here (the generator draws from it).
 */

export type FamilyKey =
  | "coffee-beans"
  | "coffee-gear"
  | "coffee-cups"
  | "tea"
  | "tea-gear"
  | "tea-accessories"
  | "chocolate-bars"
  | "chocolate-boxes"
  | "gift-box"
  | "pantry"
  | "tableware"
  | "kitchen-textile"
  | "home-textile"
  | "candles"
  | "home-fragrance"
  | "cosmetics"
  | "stationery"
  | "gift-wrap";

export interface VariantOption {
  title: string;
  /** Price multiplier relative to the product's base price. */
  factor: number;
}

export interface FamilySpec {
  key: FamilyKey;
  /** Base product titles; the first ones are the most popular. */
  names: readonly string[];
  /** Base price range in EUR (VAT included) for the first variant. */
  price: readonly [number, number];
  /** Variant options (1–3 of them are used per product); empty = single "Default Title". */
  variants: readonly VariantOption[];
  /** Durable goods are rarely bought twice by the same customer. */
  durable: boolean;
  /** Typical units per line (consumables are bought by 2 or 3 more often). */
  consumable: boolean;
}

export interface ProductTypeSpec {
  type: string;
  /** VAT rate in basis points: 550 (5.5 %, food) or 2000 (20 %). */
  vatBp: 550 | 2000;
  vendors: readonly string[];
  /** Share of the catalogue. */
  catalogShare: number;
  /** Probability that a customer's favourite type is this one. */
  popularity: number;
  /** Suffixes used when the catalogue needs more titles than the families provide. */
  series: readonly string[];
  tags: readonly string[];
  families: readonly FamilySpec[];
}

const SIZES_COFFEE: VariantOption[] = [
  { title: "250 g", factor: 1 },
  { title: "500 g", factor: 1.85 },
  { title: "1 kg", factor: 3.4 },
];
const SIZES_TEA: VariantOption[] = [
  { title: "100 g", factor: 1 },
  { title: "250 g", factor: 2.2 },
  { title: "500 g", factor: 4 },
];
const BOX_PIECES: VariantOption[] = [
  { title: "12 pièces", factor: 1 },
  { title: "24 pièces", factor: 1.8 },
  { title: "48 pièces", factor: 3.2 },
];
const JAR_SIZES: VariantOption[] = [
  { title: "250 g", factor: 1 },
  { title: "500 g", factor: 1.7 },
];
const COLOURS: VariantOption[] = [
  { title: "Blanc", factor: 1 },
  { title: "Bleu ardoise", factor: 1 },
  { title: "Terracotta", factor: 1.05 },
];
const LINEN_COLOURS: VariantOption[] = [
  { title: "Naturel", factor: 1 },
  { title: "Vert sauge", factor: 1 },
  { title: "Rouille", factor: 1 },
];
const CANDLE_SIZES: VariantOption[] = [
  { title: "180 g", factor: 1 },
  { title: "300 g", factor: 1.5 },
  { title: "600 g", factor: 2.6 },
];
const CARE_SIZES: VariantOption[] = [
  { title: "100 ml", factor: 1 },
  { title: "250 ml", factor: 1.9 },
];
const SINGLE: VariantOption[] = [];

export const PRODUCT_TYPES: readonly ProductTypeSpec[] = [
  {
    type: "Café",
    vatBp: 550,
    vendors: ["Brûlerie Lacoste", "Maison Ferrand"],
    catalogShare: 0.12,
    popularity: 0.22,
    series: ["Bio", "Réserve", "Sélection", "Microlot"],
    tags: ["café", "torréfié en France"],
    families: [
      {
        key: "coffee-beans",
        names: [
          "Mélange Espresso Maison",
          "Café Éthiopie Yirgacheffe",
          "Café Colombie Huila",
          "Mélange Petit-Déjeuner",
          "Café Brésil Cerrado",
          "Café Guatemala Antigua",
          "Café Kenya Nyeri",
          "Décaféiné Colombie",
          "Café Pérou Cajamarca",
          "Mélange Bistrot",
          "Café Honduras Marcala",
          "Café Costa Rica Tarrazú",
          "Café Rwanda Kivu",
          "Café Sumatra Mandheling",
          "Café Mexique Chiapas",
          "Café Nicaragua Jinotega",
          "Café Burundi Kayanza",
          "Café Salvador Santa Ana",
          "Moka Sidamo",
          "Café Inde Monsooned Malabar",
        ],
        price: [7.9, 15.9],
        variants: SIZES_COFFEE,
        durable: false,
        consumable: true,
      },
    ],
  },
  {
    type: "Thé",
    vatBp: 550,
    vendors: ["Maison des Thés Lebrun", "Jardins d'Ô"],
    catalogShare: 0.11,
    popularity: 0.15,
    series: ["Bio", "Grand cru", "Primeur"],
    tags: ["thé", "infusion"],
    families: [
      {
        key: "tea",
        names: [
          "Matcha de cérémonie",
          "Earl Grey Impérial",
          "Thé vert Sencha",
          "Darjeeling First Flush",
          "Rooibos Vanille Bourbon",
          "Thé vert au jasmin",
          "Chaï épicé",
          "Oolong Tie Guan Yin",
          "Thé blanc Pai Mu Tan",
          "Infusion Verveine Menthe",
          "Thé de Noël aux épices",
          "Genmaicha",
          "Lapsang Souchong",
          "Assam Breakfast",
          "Infusion Camomille Tilleul",
          "Thé noir Ceylan",
          "Thé vert menthe Gunpowder",
          "Pu-erh Yunnan",
          "Hojicha",
          "Thé des Alizés",
        ],
        price: [6.5, 18.5],
        variants: SIZES_TEA,
        durable: false,
        consumable: true,
      },
    ],
  },
  {
    type: "Chocolat",
    vatBp: 550,
    vendors: ["Chocolaterie Béranger", "Cacao & Cie"],
    catalogShare: 0.11,
    popularity: 0.13,
    series: ["Édition Noël", "Grand cru", "Bio"],
    tags: ["chocolat", "artisanal"],
    families: [
      {
        key: "chocolate-boxes",
        names: [
          "Pralinés assortis",
          "Ganaches assorties",
          "Truffes au cacao",
          "Rochers pralinés",
          "Mendiants",
          "Palets or",
          "Bouchées caramel",
          "Florentins",
        ],
        price: [14.9, 32],
        variants: BOX_PIECES,
        durable: false,
        consumable: true,
      },
      {
        key: "chocolate-bars",
        names: [
          "Tablette Noir 70 % Équateur",
          "Tablette Lait Caramel",
          "Tablette Noir 85 % Pérou",
          "Tablette Lait Noisettes",
          "Tablette Blanc Framboise",
          "Orangettes",
          "Pâte à tartiner noisette",
          "Cacao en poudre",
          "Guimauves enrobées",
          "Citronnettes",
          "Tablette Noir Piment d'Espelette",
          "Tablette Lait Fleur de sel",
        ],
        price: [4.5, 12.9],
        variants: SINGLE,
        durable: false,
        consumable: true,
      },
    ],
  },
  {
    type: "Épicerie fine",
    vatBp: 550,
    vendors: ["Épicerie Delorme", "Les Saveurs d'Antan"],
    catalogShare: 0.11,
    popularity: 0.12,
    series: ["Bio", "Édition limitée", "Format familial"],
    tags: ["épicerie", "fait en France"],
    families: [
      {
        key: "pantry",
        names: [
          "Huile d'olive vierge extra",
          "Miel de lavande",
          "Caramel au beurre salé",
          "Confiture fraise-rhubarbe",
          "Fleur de sel de Guérande",
          "Moutarde à l'ancienne",
          "Vinaigre balsamique de Modène",
          "Miel d'acacia",
          "Confiture abricot",
          "Tapenade noire",
          "Crème de marrons",
          "Sablés bretons",
          "Calissons d'Aix",
          "Nougat de Montélimar",
          "Pâtes artisanales",
          "Rillettes de sardines",
          "Sirop de violette",
          "Huile de noix",
          "Piment d'Espelette",
          "Biscuits au beurre",
        ],
        price: [4.9, 24],
        variants: JAR_SIZES,
        durable: false,
        consumable: true,
      },
    ],
  },
  {
    type: "Vaisselle",
    vatBp: 2000,
    vendors: ["Atelier Grès & Co", "Porcelaine Duval"],
    catalogShare: 0.1,
    popularity: 0.08,
    series: ["Collection Atelier", "Émaillé main"],
    tags: ["vaisselle", "art de la table"],
    families: [
      {
        key: "tea-gear",
        names: ["Bol à matcha et fouet", "Théière en fonte", "Théière en porcelaine", "Tasse à thé et soucoupe", "Service à thé"],
        price: [24, 89],
        variants: COLOURS,
        durable: true,
        consumable: false,
      },
      {
        key: "coffee-cups",
        names: ["Tasse espresso en grès", "Tasse cappuccino", "Mug émaillé", "Set de 4 tasses espresso"],
        price: [9.9, 39],
        variants: COLOURS,
        durable: true,
        consumable: false,
      },
      {
        key: "tableware",
        names: [
          "Assiette plate en grès",
          "Saladier",
          "Planche à découper en olivier",
          "Carafe en verre",
          "Assiette creuse",
          "Plat à four",
          "Verres à eau (x4)",
          "Ramequins (x4)",
          "Huilier en céramique",
        ],
        price: [12, 65],
        variants: COLOURS,
        durable: true,
        consumable: false,
      },
    ],
  },
  {
    type: "Textile",
    vatBp: 2000,
    vendors: ["Linge de Maison Perrin", "Tissages du Nord"],
    catalogShare: 0.09,
    popularity: 0.05,
    series: ["Collection Atelier", "Édition limitée"],
    tags: ["textile", "maison"],
    families: [
      {
        key: "kitchen-textile",
        names: ["Tablier en lin", "Torchons (x2)", "Nappe en lin", "Serviettes de table (x4)", "Gant de cuisine"],
        price: [12, 79],
        variants: LINEN_COLOURS,
        durable: true,
        consumable: false,
      },
      {
        key: "home-textile",
        names: ["Plaid en laine", "Coussin en lin", "Sac cabas", "Housse de coussin", "Plaid en coton"],
        price: [19, 119],
        variants: LINEN_COLOURS,
        durable: true,
        consumable: false,
      },
    ],
  },
  {
    type: "Bougies",
    vatBp: 2000,
    vendors: ["Cirerie Marchand", "Atelier Lumière"],
    catalogShare: 0.09,
    popularity: 0.09,
    series: ["Édition Noël", "Collection Atelier"],
    tags: ["bougie", "parfum d'intérieur"],
    families: [
      {
        key: "candles",
        names: [
          "Bougie Figuier",
          "Bougie Feu de bois",
          "Bougie Fleur d'oranger",
          "Bougie Ambre",
          "Bougie Lavande",
          "Bougie Thé noir",
          "Bougie Cèdre",
          "Bougie Mimosa",
          "Bougie Verveine",
          "Bougie Cannelle",
          "Bougie Tubéreuse",
          "Bougie Pin de Noël",
        ],
        price: [19, 34],
        variants: CANDLE_SIZES,
        durable: false,
        consumable: true,
      },
      {
        key: "home-fragrance",
        names: ["Diffuseur Figuier", "Diffuseur Ambre", "Brume d'oreiller lavande", "Recharge diffuseur", "Diffuseur Cèdre"],
        price: [22, 49],
        variants: SINGLE,
        durable: false,
        consumable: true,
      },
    ],
  },
  {
    type: "Cosmétiques",
    vatBp: 2000,
    vendors: ["Savonnerie du Midi", "Laboratoire Célestin"],
    catalogShare: 0.09,
    popularity: 0.08,
    series: ["Bio", "Sans parfum", "Édition limitée"],
    tags: ["cosmétique", "naturel"],
    families: [
      {
        key: "cosmetics",
        names: [
          "Savon de Marseille",
          "Crème mains karité",
          "Baume à lèvres",
          "Huile de douche amande",
          "Savon surgras au lait d'ânesse",
          "Lait corps fleur d'oranger",
          "Gommage au sucre",
          "Eau de toilette Verveine",
          "Shampoing solide",
          "Huile sèche",
          "Crème visage",
          "Sels de bain",
        ],
        price: [4.9, 36],
        variants: CARE_SIZES,
        durable: false,
        consumable: true,
      },
    ],
  },
  {
    type: "Papeterie",
    vatBp: 2000,
    vendors: ["Papeterie Beaumont", "Éditions du Pli"],
    catalogShare: 0.09,
    popularity: 0.03,
    series: ["Édition limitée", "Papier recyclé"],
    tags: ["papeterie"],
    families: [
      {
        key: "gift-wrap",
        names: ["Carte de vœux", "Papier cadeau", "Étiquettes cadeau", "Carte d'anniversaire", "Cartes postales (x10)", "Ruban en coton"],
        price: [2.5, 12],
        variants: SINGLE,
        durable: false,
        consumable: true,
      },
      {
        key: "stationery",
        names: [
          "Carnet A5 ligné",
          "Agenda",
          "Carnet A5 pointillé",
          "Stylo plume",
          "Cahier de recettes",
          "Crayons graphite (x6)",
          "Bloc-notes",
          "Calendrier mural",
        ],
        price: [4.5, 39],
        variants: SINGLE,
        durable: true,
        consumable: false,
      },
    ],
  },
  {
    type: "Accessoires",
    vatBp: 2000,
    vendors: ["L'Atelier du Barista", "Maison Ferrand"],
    catalogShare: 0.09,
    popularity: 0.05,
    series: ["Édition noire", "Inox"],
    tags: ["accessoire"],
    families: [
      {
        key: "coffee-gear",
        names: [
          "Moulin à café manuel",
          "Cafetière à piston",
          "Cafetière italienne",
          "Dripper en céramique",
          "Filtres papier (x100)",
          "Balance de précision",
          "Bouilloire col de cygne",
          "Pot à café hermétique",
          "Moulin à café électrique",
        ],
        price: [7.5, 129],
        variants: SINGLE,
        durable: true,
        consumable: false,
      },
      {
        key: "gift-box",
        names: ["Coffret cadeau en bois", "Boîte cadeau en métal", "Panier garni en osier", "Coffret carton kraft"],
        price: [9.9, 39],
        variants: SINGLE,
        durable: false,
        consumable: false,
      },
      {
        key: "tea-accessories",
        names: ["Boule à thé", "Boîte à thé en métal", "Filtre à thé en coton", "Sablier à infusion"],
        price: [5.5, 24],
        variants: SINGLE,
        durable: true,
        consumable: false,
      },
    ],
  },
];

/**
 * Co-purchase affinities between families: when a basket holds an item of the key family,
 * the next item is drawn from these partner families with these weights.
 */
export const FAMILY_AFFINITY: Readonly<Record<FamilyKey, Readonly<Partial<Record<FamilyKey, number>>>>> = {
  "coffee-beans": { "coffee-gear": 3, "coffee-cups": 2, "coffee-beans": 1 },
  "coffee-gear": { "coffee-beans": 4, "coffee-cups": 1 },
  "coffee-cups": { "coffee-beans": 2, "coffee-gear": 1, tableware: 1 },
  tea: { "tea-gear": 3, "tea-accessories": 3, tea: 1 },
  "tea-gear": { tea: 4, "tea-accessories": 1 },
  "tea-accessories": { tea: 4, "tea-gear": 1 },
  "chocolate-bars": { "gift-box": 2, "chocolate-boxes": 1, "gift-wrap": 1 },
  "chocolate-boxes": { "gift-box": 3, "gift-wrap": 2, "chocolate-bars": 1 },
  "gift-box": { "chocolate-boxes": 3, "chocolate-bars": 2, pantry: 1 },
  pantry: { tableware: 2, "kitchen-textile": 1, "gift-box": 1, pantry: 1 },
  tableware: { "kitchen-textile": 2, pantry: 2 },
  "kitchen-textile": { tableware: 2, pantry: 1 },
  "home-textile": { candles: 2, "home-fragrance": 1 },
  candles: { "home-fragrance": 2, cosmetics: 2, "home-textile": 1 },
  "home-fragrance": { candles: 3, cosmetics: 1 },
  cosmetics: { candles: 2, "home-fragrance": 1, cosmetics: 1 },
  stationery: { "gift-wrap": 2, stationery: 1 },
  "gift-wrap": { stationery: 2, "chocolate-bars": 1 },
};

/**
 * Product pairs designed to be bought together (strong, recoverable association):
 * when one is in a basket the other is added with a high probability.
 */
export const SIGNATURE_PAIRS: readonly (readonly [string, string])[] = [
  ["Mélange Espresso Maison", "Moulin à café manuel"],
  ["Matcha de cérémonie", "Bol à matcha et fouet"],
  ["Pralinés assortis", "Coffret cadeau en bois"],
];

export const FIRST_NAMES_FR: readonly string[] = [
  "Camille",
  "Léa",
  "Manon",
  "Chloé",
  "Emma",
  "Inès",
  "Sarah",
  "Julie",
  "Marie",
  "Lucie",
  "Clara",
  "Anaïs",
  "Pauline",
  "Mathilde",
  "Juliette",
  "Alice",
  "Louise",
  "Élise",
  "Margaux",
  "Charlotte",
  "Sophie",
  "Nathalie",
  "Isabelle",
  "Claire",
  "Céline",
  "Aurélie",
  "Émilie",
  "Sandrine",
  "Valérie",
  "Hélène",
  "Agathe",
  "Zoé",
  "Jeanne",
  "Romane",
  "Océane",
  "Laure",
  "Maëlle",
  "Noémie",
  "Justine",
  "Amandine",
  "Lucas",
  "Hugo",
  "Louis",
  "Thomas",
  "Nicolas",
  "Julien",
  "Antoine",
  "Maxime",
  "Alexandre",
  "Pierre",
  "Paul",
  "Baptiste",
  "Romain",
  "Mathieu",
  "Guillaume",
  "Quentin",
  "Florian",
  "Théo",
  "Arthur",
  "Jules",
  "Vincent",
  "Sébastien",
  "Olivier",
  "François",
  "Laurent",
  "Stéphane",
  "Benoît",
  "Damien",
  "Clément",
  "Adrien",
  "Gabriel",
  "Raphaël",
  "Léo",
  "Victor",
  "Martin",
  "Simon",
  "Étienne",
  "Rémi",
  "Yanis",
  "Karim",
  "Fatima",
  "Yasmine",
  "Nadia",
  "Mehdi",
  "Samir",
  "Thi Lan",
  "Minh",
  "Aïssata",
  "Moussa",
  "Grégoire",
];

export const LAST_NAMES_FR: readonly string[] = [
  "Martin",
  "Bernard",
  "Dubois",
  "Thomas",
  "Robert",
  "Richard",
  "Petit",
  "Durand",
  "Leroy",
  "Moreau",
  "Simon",
  "Laurent",
  "Lefebvre",
  "Michel",
  "Garcia",
  "David",
  "Bertrand",
  "Roux",
  "Vincent",
  "Fournier",
  "Morel",
  "Girard",
  "André",
  "Lefèvre",
  "Mercier",
  "Dupont",
  "Lambert",
  "Bonnet",
  "François",
  "Martinez",
  "Legrand",
  "Garnier",
  "Faure",
  "Rousseau",
  "Blanc",
  "Guérin",
  "Muller",
  "Henry",
  "Roussel",
  "Nicolas",
  "Perrin",
  "Morin",
  "Mathieu",
  "Clément",
  "Gauthier",
  "Dumont",
  "Lopez",
  "Fontaine",
  "Chevalier",
  "Robin",
  "Masson",
  "Sanchez",
  "Gérard",
  "Nguyen",
  "Boyer",
  "Denis",
  "Lemaire",
  "Duval",
  "Joly",
  "Gautier",
  "Roger",
  "Roche",
  "Roy",
  "Noël",
  "Meyer",
  "Lucas",
  "Meunier",
  "Jean",
  "Pérez",
  "Marchand",
  "Dufour",
  "Blanchard",
  "Marie",
  "Barbier",
  "Brun",
  "Dumas",
  "Brunet",
  "Schmitt",
  "Leroux",
  "Colin",
  "Fernandez",
  "Pierre",
  "Renard",
  "Arnaud",
  "Rolland",
  "Caron",
  "Aubert",
  "Giraud",
  "Leclerc",
  "Vidal",
  "Bourgeois",
  "Renaud",
  "Lemoine",
  "Picard",
  "Gaillard",
  "Philippe",
  "Leclercq",
  "Lacroix",
  "Fabre",
  "Benali",
  "Diallo",
  "Traoré",
  "Haddad",
  "Tran",
  "Le Goff",
  "Kerbrat",
  "Peeters",
  "Janssens",
  "Favre",
  "Tremblay",
];

export const FIRST_NAMES_DE: readonly string[] = [
  "Anna",
  "Lena",
  "Sophie",
  "Laura",
  "Julia",
  "Lukas",
  "Jonas",
  "Felix",
  "Leon",
  "Maximilian",
  "Katrin",
  "Stefan",
];
export const LAST_NAMES_DE: readonly string[] = [
  "Müller",
  "Schmidt",
  "Schneider",
  "Fischer",
  "Weber",
  "Meyer",
  "Wagner",
  "Becker",
  "Schulz",
  "Hoffmann",
];
export const FIRST_NAMES_ES: readonly string[] = [
  "Lucía",
  "María",
  "Paula",
  "Carmen",
  "Elena",
  "Javier",
  "Pablo",
  "Alejandro",
  "Daniel",
  "Sergio",
  "Marta",
  "Diego",
];
export const LAST_NAMES_ES: readonly string[] = [
  "García",
  "Fernández",
  "González",
  "Rodríguez",
  "López",
  "Martínez",
  "Sánchez",
  "Pérez",
  "Gómez",
  "Ruiz",
];

export interface CitySpec {
  city: string;
  zip: string;
  province: string | null;
  provinceCode: string | null;
  weight: number;
}

export interface CountrySpec {
  code: "FR" | "BE" | "CH" | "DE" | "ES" | "CA";
  name: string;
  weight: number;
  phonePrefix: string;
  /** Share of customers with an English locale. */
  englishShare: number;
  streets: readonly string[];
  /** House number goes after the street name (German/Spanish style). */
  numberAfter: boolean;
  cities: readonly CitySpec[];
}

function c(city: string, zip: string, weight: number, province: string | null = null, provinceCode: string | null = null): CitySpec {
  return { city, zip, province, provinceCode, weight };
}

export const COUNTRIES: readonly CountrySpec[] = [
  {
    code: "FR",
    name: "France",
    weight: 0.82,
    phonePrefix: "+33",
    englishShare: 0.04,
    numberAfter: false,
    streets: [
      "rue de la République",
      "avenue Jean Jaurès",
      "rue Victor Hugo",
      "boulevard Gambetta",
      "rue des Lilas",
      "place du Marché",
      "rue Pasteur",
      "allée des Tilleuls",
      "chemin des Vignes",
      "rue du Moulin",
      "impasse des Roses",
      "quai de la Loire",
      "rue Nationale",
      "avenue de la Gare",
      "rue Saint-Michel",
      "rue du Général Leclerc",
      "boulevard Voltaire",
      "rue de la Paix",
      "avenue Foch",
      "rue des Écoles",
    ],
    cities: [
      c("Paris", "75011", 14),
      c("Paris", "75015", 8),
      c("Paris", "75018", 6),
      c("Paris", "75005", 4),
      c("Paris", "75009", 4),
      c("Lyon", "69003", 6),
      c("Lyon", "69007", 3),
      c("Marseille", "13006", 4),
      c("Toulouse", "31000", 4),
      c("Bordeaux", "33000", 4),
      c("Nantes", "44000", 4),
      c("Lille", "59000", 3),
      c("Strasbourg", "67000", 3),
      c("Montpellier", "34000", 3),
      c("Rennes", "35000", 3),
      c("Nice", "06000", 2),
      c("Grenoble", "38000", 2),
      c("Dijon", "21000", 1.5),
      c("Angers", "49000", 1.5),
      c("Tours", "37000", 1.5),
      c("Aix-en-Provence", "13100", 1.5),
      c("Annecy", "74000", 1.5),
      c("La Rochelle", "17000", 1),
      c("Reims", "51100", 1),
      c("Rouen", "76000", 1.2),
      c("Caen", "14000", 1),
      c("Brest", "29200", 1),
      c("Clermont-Ferrand", "63000", 1),
      c("Limoges", "87000", 0.8),
      c("Metz", "57000", 0.8),
      c("Nancy", "54000", 0.8),
      c("Versailles", "78000", 1.2),
      c("Boulogne-Billancourt", "92100", 1.2),
      c("Saint-Malo", "35400", 0.6),
      c("Biarritz", "64200", 0.6),
      c("Avignon", "84000", 0.7),
      c("Perpignan", "66000", 0.6),
      c("Besançon", "25000", 0.6),
      c("Orléans", "45000", 0.8),
      c("Le Mans", "72000", 0.6),
      c("Poitiers", "86000", 0.6),
      c("Pau", "64000", 0.5),
      c("Amiens", "80000", 0.6),
      c("Colmar", "68000", 0.5),
      c("Vannes", "56000", 0.5),
    ],
  },
  {
    code: "BE",
    name: "Belgium",
    weight: 0.07,
    phonePrefix: "+32",
    englishShare: 0.05,
    numberAfter: false,
    streets: ["rue Royale", "avenue Louise", "chaussée de Wavre", "rue Neuve", "rue du Midi", "boulevard d'Avroy"],
    cities: [
      c("Bruxelles", "1000", 5),
      c("Ixelles", "1050", 3),
      c("Liège", "4000", 3),
      c("Namur", "5000", 2),
      c("Charleroi", "6000", 1.5),
      c("Mons", "7000", 1),
      c("Louvain-la-Neuve", "1348", 1),
      c("Gand", "9000", 1),
    ],
  },
  {
    code: "CH",
    name: "Switzerland",
    weight: 0.04,
    phonePrefix: "+41",
    englishShare: 0.1,
    numberAfter: false,
    streets: ["rue du Rhône", "avenue de la Gare", "rue de Lausanne", "chemin des Crêts", "rue du Marché"],
    cities: [c("Genève", "1201", 4), c("Lausanne", "1003", 3), c("Fribourg", "1700", 1.5), c("Neuchâtel", "2000", 1.2), c("Sion", "1950", 1)],
  },
  {
    code: "DE",
    name: "Germany",
    weight: 0.02,
    phonePrefix: "+49",
    englishShare: 0.5,
    numberAfter: true,
    streets: ["Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schillerstraße", "Goethestraße"],
    cities: [
      c("Berlin", "10115", 3),
      c("München", "80331", 2),
      c("Hamburg", "20095", 2),
      c("Köln", "50667", 1.5),
      c("Frankfurt am Main", "60311", 1.5),
    ],
  },
  {
    code: "ES",
    name: "Spain",
    weight: 0.02,
    phonePrefix: "+34",
    englishShare: 0.5,
    numberAfter: true,
    streets: ["Calle Mayor", "Avenida de la Constitución", "Calle del Sol", "Calle de Alcalá", "Paseo de Gracia"],
    cities: [
      c("Madrid", "28001", 3, "Madrid", "M"),
      c("Barcelona", "08001", 3, "Barcelona", "B"),
      c("Valencia", "46001", 1.5, "Valencia", "V"),
      c("Sevilla", "41001", 1, "Sevilla", "SE"),
      c("Málaga", "29001", 1, "Málaga", "MA"),
    ],
  },
  {
    code: "CA",
    name: "Canada",
    weight: 0.03,
    phonePrefix: "+1",
    englishShare: 0.3,
    numberAfter: false,
    streets: ["rue Saint-Denis", "boulevard Saint-Laurent", "rue Sherbrooke Ouest", "avenue du Mont-Royal", "Bank Street"],
    cities: [
      c("Montréal", "H2X 1Y4", 5, "Quebec", "QC"),
      c("Québec", "G1R 4P5", 2, "Quebec", "QC"),
      c("Gatineau", "J8X 3X7", 1, "Quebec", "QC"),
      c("Ottawa", "K1P 5G4", 1, "Ontario", "ON"),
      c("Moncton", "E1C 1A1", 0.5, "New Brunswick", "NB"),
    ],
  },
];

export const DISCOUNT_CODES = {
  welcome: { code: "BIENVENUE10", type: "percentage" as const, percent: 10 },
  christmas: { code: "NOEL15", type: "percentage" as const, percent: 15 },
  blackFriday: { code: "BLACKFRIDAY20", type: "percentage" as const, percent: 20 },
  loyalty: { code: "FIDELITE5", type: "fixed_amount" as const, amountCents: 500 },
  spring: { code: "PRINTEMPS10", type: "percentage" as const, percent: 10 },
};

export const ORDER_NOTES: readonly string[] = [
  "Merci de faire un paquet cadeau.",
  "C'est un cadeau : pas de facture dans le colis s'il vous plaît.",
  "Livrer chez la gardienne si absent.",
  "Digicode 4521B, 3e étage.",
  "Pouvez-vous ajouter un petit mot : « Joyeux anniversaire ! »",
];

export const CUSTOMER_NOTES: readonly string[] = [
  "Préfère la livraison en point relais.",
  "Rencontré(e) au salon Maison & Objet.",
  "Allergique aux fruits à coque.",
  "Cliente fidèle de la boutique de Lyon.",
  "Achète souvent pour son entreprise (cadeaux clients).",
];

export const REFUND_NOTES: readonly (string | null)[] = [
  "Produit arrivé cassé",
  "Rétractation du client",
  "Erreur de préparation",
  "Colis perdu par le transporteur",
  "Article en rupture après commande",
  null,
];
